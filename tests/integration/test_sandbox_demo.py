"""The demo's provider sandbox (`make sandbox`) against a real Atalaia server.

Story: Rita, the administrator of a company trying Atalaia, has no Meta account and no spare
phone. She runs `make demo` and `make sandbox`, creates an Evolution line for Bruno in the
console's API, presses "Criar instância", "scans" the QR code on the sandbox's page, and a
customer writes: the line is connected, the customer gets the notice once (a second message from
them gets none), the notice is delivered and read, and when Bruno's phone disconnects the line
shows a capture gap. The same for a Cloud API number: the credential test answers with the
sandbox's number, and its statuses come back signed with the app secret Rita gave Atalaia.

The sandbox runs in-process on free ports; Atalaia is the real app under uvicorn; the jobs and
the periodic checks are run by the test (the worker's own functions), so nothing waits on a clock.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from atalaia.db.engine import transaction
from atalaia.jobs.worker import run_once, run_periodic_checks
from atalaia.runtime import Runtime
from atalaia.services.auth import issue_api_token
from atalaia.services.notices import list_notices
from atalaia.services.people import create_user
from atalaia.services.tenancy import ensure_tenant
from atalaia.web.app import create_app
from sandbox.providers import running_sandbox
from sandbox.state import SandboxState

WAIT_SECONDS = 20.0  # an upper bound for background webhooks to land, never a measured duration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


@dataclass(frozen=True)
class Demo:
    runtime: Runtime
    sandbox: SandboxState
    api: httpx.Client  # Atalaia's API with Rita's (administrator) token
    page: httpx.Client  # the sandbox's page and buttons
    tenant_id: int
    url: str  # Atalaia's address (its ATALAIA_PUBLIC_URL too)

    def press(self, action: str, **fields: str) -> httpx.Response:
        answer = self.page.post(f"/acoes/{action}", data={"token": self.sandbox.form_token, **fields})
        assert answer.status_code == 303
        return answer

    def drain_jobs(self) -> None:
        while run_once(self.runtime):
            pass

    def line(self, line_id: int) -> dict[str, object]:
        rows = self.api.get("/api/v1/lines").json()
        return next(row for row in rows if row["id"] == line_id)

    def notices(self) -> list[tuple[str, str]]:
        with self.runtime.sessions() as session:
            return [(n.contact, n.status) for n in list_notices(session, tenant_id=self.tenant_id) if n.created_at]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SandboxState, int]]:
    """The sandbox, and the environment `make demo` gives Atalaia (set before Atalaia's settings load)."""
    port = _free_port()
    with running_sandbox(graph_port=0, evolution_port=0, atalaia_url=f"http://127.0.0.1:{port}") as state:
        state.followup_delay = 0.05
        monkeypatch.setenv("ATALAIA_GRAPH_BASE_URL", state.graph_base_url)
        monkeypatch.setenv("ATALAIA_GATEWAY_API_ORIGINS", state.evolution_base_url)
        monkeypatch.setenv("ATALAIA_PUBLIC_URL", f"http://127.0.0.1:{port}")
        yield state, port


@pytest.fixture
def demo(sandbox: tuple[SandboxState, int], runtime: Runtime) -> Iterator[Demo]:
    state, port = sandbox
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        rita = create_user(session, tenant_id=tenant.id, email="rita@exemplo.com.br", role="admin").user
        token = issue_api_token(session, user=rita, name="demo")
        tenant_id = tenant.id
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    eventually(lambda: server.started, "Atalaia started")
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                     trust_env=False, timeout=30) as api,
        httpx.Client(base_url=state.evolution_base_url, trust_env=False, timeout=30) as page,
    ):  # fmt: skip
        yield Demo(runtime, state, api, page, tenant_id, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


def test_an_evolution_line_connects_notices_once_and_alerts_on_disconnection(demo: Demo) -> None:
    sandbox = demo.sandbox
    created = demo.api.post("/api/v1/lines", json={"number": "+5521977770000", "provider": "evolution",
                                                   "team": "Vendas", "employee_email": "bruno@exemplo.com.br",
                                                   "employee_name": "Bruno"})  # fmt: skip
    assert created.status_code == 201, created.text
    line_id = created.json()["id"]

    connected = demo.api.post(f"/api/v1/lines/{line_id}/connect/gateway",
                              json={"base_url": sandbox.evolution_base_url, "api_key": sandbox.api_key})  # fmt: skip
    assert connected.status_code == 200, connected.text
    assert connected.json()["ok"] is True, connected.json()
    instance = sandbox.instances["atalaia-5521977770000"]  # Atalaia's default name for the line
    assert instance.webhook_url == f"{demo.url}/webhooks/evolution"
    assert instance.webhook_headers["Authorization"].startswith("Bearer ")
    assert demo.line(line_id)["status"] == "pending"
    assert "Escanear o QR code" in demo.page.get("/").text

    demo.press("escanear", instancia=instance.name)
    assert sandbox.log[-1].answer == "HTTP 200"
    assert demo.line(line_id)["status"] == "connected"

    demo.press("cliente", instancia=instance.name, texto="Bom dia, quero um orçamento")
    customer = instance.last_customer
    assert customer is not None
    assert sandbox.log[-1].answer == "HTTP 200"
    demo.drain_jobs()
    (notice,) = sandbox.sent
    assert (notice.provider, notice.line, notice.to) == ("evolution", instance.name, customer.phone)
    assert f"{demo.url}/privacidade/default" in notice.text

    demo.press("cliente", instancia=instance.name, mesmo="1", texto="Alguém aí?")  # the same customer again
    demo.drain_jobs()
    assert len(sandbox.sent) == 1  # one notice per contact
    # The gateway's echo and the phone's delivery and read reach Atalaia: the notice shows as read.
    eventually(lambda: demo.notices() == [(customer.name, "read")], "the notice read")

    demo.press("desconectar", instancia=instance.name)
    assert demo.line(line_id)["status"] == "disconnected"
    run_periodic_checks(demo.runtime)  # the worker's clock-driven checks
    line = demo.line(line_id)
    assert (line["gap_reason"], line["gap_since"] is not None) == ("disconnected", True)

    demo.press("reconectar", instancia=instance.name)
    assert demo.line(line_id)["status"] == "connected"
    assert all(entry.answer == "HTTP 200" for entry in sandbox.log if "(atalaia-" in entry.what)


def test_a_cloud_number_passes_the_credential_test_and_its_statuses_come_back_signed(demo: Demo) -> None:
    sandbox = demo.sandbox
    demo.press("numero", numero="+55 21 4000-0001", app_secret="segredo-do-app-da-demonstracao")
    (number,) = sandbox.numbers.values()
    created = demo.api.post("/api/v1/lines", json={"number": "+552140000001", "provider": "cloud", "team": "Suporte",
                                                   "phone_number_id": number.phone_number_id})  # fmt: skip
    assert created.status_code == 201, created.text
    line_id = created.json()["id"]
    cloud = {"phone_number_id": number.phone_number_id, "access_token": "EAA-token-errado-da-rita"}
    assert demo.api.post(f"/api/v1/lines/{line_id}/connect/cloud", json=cloud).status_code == 200
    failed = demo.api.post(f"/api/v1/lines/{line_id}/test").json()
    assert failed["ok"] is False
    assert "Invalid OAuth access token" in failed["message"]  # Graph's own words, through the sandbox

    cloud = {**cloud, "access_token": number.access_token, "app_secret": number.app_secret}
    assert demo.api.post(f"/api/v1/lines/{line_id}/connect/cloud", json=cloud).status_code == 200
    checked = demo.api.post(f"/api/v1/lines/{line_id}/test").json()
    assert checked == {"ok": True, "message": "Credenciais válidas: 552140000001 — Empresa de Demonstração"}

    demo.press("cliente-cloud", numero=number.phone_number_id)
    assert sandbox.log[-1].answer == "HTTP 200"  # signed with the line's own app secret
    demo.drain_jobs()
    (sent,) = sandbox.sent
    customer = number.last_customer
    assert customer is not None
    assert (sent.provider, sent.line, sent.to) == ("cloud", number.phone_number_id, customer.phone)
    eventually(lambda: demo.notices() == [(customer.name, "read")], "the notice read")
    statuses = [entry for entry in sandbox.log if entry.what.startswith("status ")]
    assert [entry.answer for entry in statuses] == ["HTTP 200"] * 3


def test_a_customer_cannot_write_to_an_instance_that_is_not_connected(demo: Demo) -> None:
    sandbox = demo.sandbox
    created = demo.api.post("/api/v1/lines", json={"number": "+5521966660000", "provider": "evolution"}).json()
    demo.api.post(f"/api/v1/lines/{created['id']}/connect/gateway",
                  json={"base_url": sandbox.evolution_base_url, "api_key": sandbox.api_key})  # fmt: skip
    demo.press("cliente", instancia="atalaia-5521966660000")
    assert "não está conectada" in sandbox.log[-1].answer
    with demo.runtime.sessions() as session:
        assert list_notices(session, tenant_id=demo.tenant_id) == []


# --- the sandbox alone: hostile or mistaken requests ------------------------------------------


@pytest.fixture
def alone() -> Iterator[SandboxState]:
    with running_sandbox(graph_port=0, evolution_port=0, atalaia_url="http://127.0.0.1:9") as state:
        yield state


def _create(state: SandboxState, body: object, key: str | None = None) -> httpx.Response:
    return httpx.post(f"{state.evolution_base_url}/instance/create", json=body,
                      headers={"apikey": key if key is not None else state.api_key}, trust_env=False)  # fmt: skip


def _instance_body(name: str = "vendas", **webhook: object) -> dict[str, object]:
    hook = {"url": "http://127.0.0.1:9/webhooks/evolution", "headers": {"Authorization": "Bearer t"}, **webhook}
    return {"instanceName": name, "integration": "WHATSAPP-BAILEYS", "qrcode": True, "webhook": hook}


def test_the_evolution_api_refuses_bad_keys_names_and_webhooks_and_stores_nothing(alone: SandboxState) -> None:
    assert _create(alone, _instance_body(), key="chave-errada").status_code == 401
    assert _create(alone, _instance_body(name="../admin")).status_code == 400
    assert _create(alone, _instance_body(name="x" * 61)).status_code == 400
    refused = _create(alone, _instance_body(url="http://169.254.169.254/latest/meta-data"))
    assert refused.status_code == 400
    assert "this machine" in refused.json()["response"]["message"][0]
    assert _create(alone, _instance_body(url="http://user:pw@127.0.0.1:9/")).status_code == 400
    assert _create(alone, _instance_body(headers={"X-Evil": "a\r\nSet-Cookie: x=1"})).status_code == 400
    assert _create(alone, _instance_body(headers={"X Bad": "v"})).status_code == 400
    assert _create(alone, ["not", "an", "object"]).status_code == 400
    padded = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    headers = {"apikey": alone.api_key, "Content-Type": "application/json"}
    huge = httpx.post(f"{alone.evolution_base_url}/instance/create", content=padded, headers=headers, trust_env=False)
    assert huge.status_code == 413
    assert alone.instances == {}

    assert _create(alone, _instance_body()).status_code == 201
    again = _create(alone, _instance_body())
    assert again.status_code == 403  # Evolution's answer to a name in use
    key = alone.instances["vendas"].key
    other = _create(alone, _instance_body(name="outra"), key=key)  # an instance's key cannot create
    assert other.status_code == 401


def test_send_text_needs_the_instance_connected_and_a_sane_body(alone: SandboxState) -> None:
    assert _create(alone, _instance_body()).status_code == 201
    instance = alone.instances["vendas"]
    url = f"{alone.evolution_base_url}/message/sendText/vendas"
    headers = {"apikey": instance.key}
    closed = httpx.post(url, json={"number": "5511988887777", "text": "oi"}, headers=headers, trust_env=False)
    assert (closed.status_code, closed.json()["response"]["message"]) == (400, ["Connection Closed"])
    instance.state = "open"
    for bad in ({"number": "abc", "text": "oi"}, {"number": "5511988887777", "text": ""},
                {"number": "5511988887777", "text": "x" * 5000}, {"number": "5511988887777"}):  # fmt: skip
        assert httpx.post(url, json=bad, headers=headers, trust_env=False).status_code == 400
    other_instance = httpx.post(f"{alone.evolution_base_url}/message/sendText/outra", json={}, headers=headers,
                                trust_env=False)  # fmt: skip
    assert other_instance.status_code == 401  # this instance's key is not the global key
    assert alone.sent == []

    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    sent = httpx.post(url, json={"number": "5511988887777", "text": hostile}, headers=headers, trust_env=False)
    assert sent.status_code == 201
    assert re.fullmatch(r"3EB0[0-9A-F]{18}", sent.json()["key"]["id"])
    page = httpx.get(f"{alone.evolution_base_url}/", trust_env=False).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "<img src=x" not in page


def test_the_page_needs_its_own_host_and_form_token(alone: SandboxState) -> None:
    assert _create(alone, _instance_body()).status_code == 201
    base = alone.evolution_base_url
    no_token = httpx.post(f"{base}/acoes/escanear", data={"instancia": "vendas"}, trust_env=False)
    assert no_token.status_code == 403
    wrong_token = httpx.post(f"{base}/acoes/escanear", data={"instancia": "vendas", "token": "x"}, trust_env=False)
    assert wrong_token.status_code == 403
    rebound = httpx.post(f"{base}/acoes/escanear", data={"instancia": "vendas", "token": alone.form_token},
                         headers={"Host": "atacante.example:80"}, trust_env=False)  # fmt: skip
    assert rebound.status_code == 403
    assert httpx.get(f"{base}/", headers={"Host": "atacante.example"}, trust_env=False).status_code == 403
    assert alone.instances["vendas"].state == "connecting"
    assert [entry.what for entry in alone.log] == ["instância vendas criada pelo Atalaia"]

    pressed = httpx.post(f"{base}/acoes/escanear", data={"instancia": "vendas", "token": alone.form_token},
                         trust_env=False)  # fmt: skip
    assert pressed.status_code == 303
    assert alone.instances["vendas"].state == "open"
    assert alone.log[-1].answer.startswith("falhou")  # nothing listens on port 9: said, not hidden


def test_the_graph_api_answers_like_meta_to_bad_tokens_ids_and_bodies(alone: SandboxState) -> None:
    number = alone.add_number(display_phone_number="+55 21 4000-0001")
    base = alone.graph_base_url
    good = {"Authorization": f"Bearer {number.access_token}"}
    wrong = httpx.get(f"{base}/{number.phone_number_id}", headers={"Authorization": "Bearer x"}, trust_env=False)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, 190)
    unknown = httpx.get(f"{base}/123456789012345", headers=good, trust_env=False)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, 100)
    found = httpx.get(f"{base}/{number.phone_number_id}", headers=good, trust_env=False).json()
    assert found["display_phone_number"] == "552140000001"

    url = f"{base}/{number.phone_number_id}/messages"
    for bad in ({"to": "5511988887777", "type": "text", "text": {"body": "oi"}},  # no messaging_product
                {"messaging_product": "whatsapp", "to": "abc", "type": "text", "text": {"body": "oi"}},
                {"messaging_product": "whatsapp", "to": "5511988887777", "type": "text", "text": "oi"},
                {"messaging_product": "whatsapp", "to": "5511988887777", "type": "audio"}):  # fmt: skip
        answer = httpx.post(url, json=bad, headers=good, trust_env=False)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, 100), bad
    garbage = httpx.post(url, content=b"\x00not json", headers=good, trust_env=False)
    assert garbage.status_code == 400
    assert alone.sent == []

    body = {"messaging_product": "whatsapp", "to": "5511988887777", "type": "text", "text": {"body": "Aviso"}}
    sent = httpx.post(url, json=body, headers=good, trust_env=False).json()
    assert sent["messages"][0]["id"].startswith("wamid.")
    assert [(s.to, s.text) for s in alone.sent] == [("5511988887777", "Aviso")]


def test_a_cloud_number_needs_a_plausible_phone_and_secret(alone: SandboxState) -> None:
    with pytest.raises(ValueError, match="8 a 15"):
        alone.add_number(display_phone_number="123")
    with pytest.raises(ValueError, match="app secret"):
        alone.add_number(display_phone_number="+55 21 4000-0001", app_secret="com espaço")
    assert alone.numbers == {}


def test_the_sandbox_signs_cloud_webhooks_as_meta_does() -> None:
    from atalaia.connectors.cloud_api.signature import signature_valid
    from sandbox.outbound import signature

    body = json.dumps({"object": "whatsapp_business_account"}).encode()
    assert signature_valid(body=body, header=signature(body, "segredo"), app_secret="segredo")
    assert not signature_valid(body=body, header=signature(body, "outro"), app_secret="segredo")
