"""The sandbox's own page (http://127.0.0.1:8011/): what to type into Atalaia, and the buttons that
play the phone and the customers — scan the QR code, a customer writes, the phone disconnects.

Plain HTML, everything shown escaped (instance names come from Atalaia's request, texts from
whoever typed them). The page answers only to a Host of 127.0.0.1 or localhost (a web page
elsewhere cannot reach it by DNS rebinding), and every button carries a random form token (one
elsewhere cannot press it).
"""

from __future__ import annotations

import hmac
from html import escape
from typing import Final
from urllib.parse import parse_qs

import segno

from sandbox import outbound
from sandbox.http import BodyError, Handler
from sandbox.state import DEFAULT_TEXT, SandboxState, clean_text, new_customer

STATES: Final = {"connecting": "aguardando a leitura do QR code", "open": "conectada", "close": "desconectada"}
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'"
STYLE: Final = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2933}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #cbd2d9}
.aviso{background:#fff3c4;padding:.6rem 1rem;border-radius:4px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e4e7eb;padding:.35rem;text-align:left;
vertical-align:top}code{background:#f0f4f8;padding:0 .2rem;word-break:break-all}
form.inline{display:inline}button{margin:.1rem}.muted{color:#616e7c}
"""


def serve(handler: Handler, state: SandboxState) -> None:
    if not _local_host(handler):
        return
    if handler.path_parts() != []:
        handler.send_bytes(404, b"nada aqui", "text/plain; charset=utf-8")
        return
    handler.send_bytes(200, render(state).encode(), "text/html; charset=utf-8", {"Content-Security-Policy": CSP})


def act(handler: Handler, state: SandboxState) -> None:
    """One button: check the host and the form token, do it, go back to the page (303)."""
    if not _local_host(handler):
        return
    try:
        fields = {k: v[0] for k, v in parse_qs(handler.raw_body().decode("utf-8", "replace")).items()}
    except BodyError as exc:
        handler.send_bytes(exc.status, str(exc).encode(), "text/plain; charset=utf-8")
        return
    if not hmac.compare_digest(fields.get("token", "").encode(), state.form_token.encode()):
        handler.send_bytes(403, b"formulario sem o token desta pagina", "text/plain; charset=utf-8")
        return
    parts = handler.path_parts()
    problem = _do(state, parts[1] if len(parts) == 2 else "", fields)
    if problem is not None:
        state.note("botão recusado", problem)
    handler.send_bytes(303, b"", "text/plain", {"Location": "/"})


def _do(state: SandboxState, action: str, fields: dict[str, str]) -> str | None:
    """Run an action; a reason when it cannot."""
    if action == "numero":
        try:
            state.add_number(display_phone_number=fields.get("numero", ""), app_secret=fields.get("app_secret", ""))
        except ValueError as exc:
            return str(exc)
        return None
    if action == "cliente-cloud":
        number = state.numbers.get(fields.get("numero", ""))
        if number is None:
            return "número Cloud API desconhecido"
        customer = number.last_customer if fields.get("mesmo") and number.last_customer else new_customer()
        number.last_customer = customer
        outbound.customer_message(state, number, customer, clean_text(fields.get("texto", "")))
        return None
    instance = state.instances.get(fields.get("instancia", ""))
    if instance is None:
        return "instância desconhecida"
    if action in ("escanear", "reconectar"):
        instance.state = "open"
        outbound.connection_update(state, instance, open_=True)
    elif action == "desconectar":
        instance.state = "close"
        outbound.connection_update(state, instance, open_=False)
    elif action == "cliente":
        if instance.state != "open":
            return f"{instance.name} não está conectada: leia o QR code (ou reconecte) antes"
        customer = instance.last_customer if fields.get("mesmo") and instance.last_customer else new_customer()
        instance.last_customer = customer
        outbound.customer_upsert(state, instance, customer, clean_text(fields.get("texto", "")))
    else:
        return "ação desconhecida"
    return None


def _local_host(handler: Handler) -> bool:
    address = handler.server.server_address
    port = address[1] if isinstance(address, tuple) else None
    if handler.headers.get("Host", "") in (f"127.0.0.1:{port}", f"localhost:{port}"):
        return True
    handler.send_bytes(403, b"abra pelo endereco 127.0.0.1", "text/plain; charset=utf-8")
    return False


def _button(state: SandboxState, action: str, label: str, hidden: dict[str, str], *, text: bool = False) -> str:
    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items())
    typed = f'<input name="texto" size="40" maxlength="1000" value="{escape(DEFAULT_TEXT)}"> ' if text else ""
    return (f'<form class="inline" method="post" action="/acoes/{action}">'
            f'<input type="hidden" name="token" value="{escape(state.form_token)}">{inputs}{typed}'
            f"<button>{escape(label)}</button></form>")  # fmt: skip


def render(state: SandboxState) -> str:
    with state.lock:
        instances = list(state.instances.values())
        numbers = list(state.numbers.values())
        sent = list(reversed(state.sent[-50:]))
        log = list(reversed(state.log[-50:]))
    e = escape
    out = [
        "<!doctype html><html lang='pt-BR'><head><meta charset='utf-8'><title>Atalaia — provedores de teste</title>",
        f"<style>{STYLE}</style></head><body><h1>Atalaia — provedores de teste (sandbox)</h1>",
        "<p class='aviso'>Ferramenta de demonstração: finge ser a Graph API da Meta e uma Evolution API v2, "
        "só em 127.0.0.1. Nenhuma mensagem sai para o WhatsApp. Não use com dados reais.</p>",
        "<h2>O que informar no Atalaia</h2><table>",
        f"<tr><th>Evolution API — endereço</th><td><code>{e(state.evolution_base_url)}</code></td></tr>",
        f"<tr><th>Evolution API — chave da API</th><td><code>{e(state.api_key)}</code></td></tr>",
        f"<tr><th>Graph API (ATALAIA_GRAPH_BASE_URL)</th><td><code>{e(state.graph_base_url)}</code></td></tr>",
        f"<tr><th>Webhooks da Cloud API vão para</th><td><code>{e(state.atalaia_url)}/webhooks/cloud</code></td></tr>",
        "</table>",
        "<h2>Evolution API — instâncias criadas pelo Atalaia</h2>",
    ]
    if not instances:
        out.append("<p class='muted'>Nenhuma ainda. No Atalaia: Linhas → Nova linha (provedor Evolution API), "
                   "informe o endereço e a chave acima e clique em “Criar instância”.</p>")  # fmt: skip
    for inst in instances:
        hidden = {"instancia": inst.name}
        out.append(f"<h3><code>{e(inst.name)}</code> — <strong>{e(STATES.get(inst.state, inst.state))}</strong></h3>")
        out.append(f"<p class='muted'>webhook: <code>{e(inst.webhook_url)}</code></p><p>")
        if inst.state == "connecting":
            svg = segno.make(inst.qr, error="l").svg_inline(scale=2)
            out.append(f"{svg}<br>{_button(state, 'escanear', 'Escanear o QR code (simula o celular)', hidden)}")
        elif inst.state == "open":
            out.append(_button(state, "cliente", "Cliente novo envia mensagem", hidden, text=True) + "<br>")
            if inst.last_customer is not None:
                out.append(_button(state, "cliente", f"{inst.last_customer.name} envia outra",
                                   {**hidden, "mesmo": "1"}, text=True) + "<br>")  # fmt: skip
            out.append(_button(state, "desconectar", "Desconectar o celular", hidden))
        else:
            out.append(_button(state, "reconectar", "Reconectar o celular", hidden))
        out.append("</p>")
    out.append("<h2>Cloud API — números</h2>")
    out.append(f'<form method="post" action="/acoes/numero"><input type="hidden" name="token" '
               f'value="{e(state.form_token)}">Número <input name="numero" value="+55 21 4000-0001" size="18"> '
               f'app secret <input name="app_secret" placeholder="(vazio: gerado)" size="34"> '
               f"<button>Criar número Cloud API</button></form>")  # fmt: skip
    if numbers:
        out.append("<table><tr><th>Número</th><th>Phone number id</th><th>Token de acesso</th><th>App secret</th>"
                   "<th></th></tr>")  # fmt: skip
        for num in numbers:
            hidden = {"numero": num.phone_number_id}
            again = (_button(state, "cliente-cloud", f"{num.last_customer.name} envia outra",
                             {**hidden, "mesmo": "1"}, text=True) if num.last_customer else "")  # fmt: skip
            out.append(f"<tr><td>+{e(num.display_phone_number)}</td><td><code>{e(num.phone_number_id)}</code></td>"
                       f"<td><code>{e(num.access_token)}</code></td><td><code>{e(num.app_secret)}</code></td>"
                       f"<td>{_button(state, 'cliente-cloud', 'Cliente novo envia mensagem', hidden, text=True)}"
                       f"<br>{again}</td></tr>")  # fmt: skip
        out.append("</table>")
    out.append("<h2>Mensagens que o Atalaia enviou (o aviso de monitoramento)</h2><table>"
               "<tr><th>Quando</th><th>Por</th><th>Para</th><th>Texto</th></tr>")  # fmt: skip
    for s in sent:
        out.append(f"<tr><td>{e(s.at.astimezone().strftime('%H:%M:%S'))}</td><td>{e(s.provider)} {e(s.line)}</td>"
                   f"<td>+{e(s.to)}</td><td>{e(s.text)}</td></tr>")  # fmt: skip
    out.append("</table><h2>O que a sandbox disse ao Atalaia</h2><table><tr><th>Quando</th><th>O quê</th>"
               "<th>Resposta do Atalaia</th></tr>")  # fmt: skip
    for entry in log:
        out.append(f"<tr><td>{e(entry.at.astimezone().strftime('%H:%M:%S'))}</td><td>{e(entry.what)}</td>"
                   f"<td>{e(entry.answer)}</td></tr>")  # fmt: skip
    out.append("</table><p><a href='/'>Atualizar</a></p></body></html>")
    return "".join(out)
