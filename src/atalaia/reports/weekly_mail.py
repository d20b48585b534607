"""The weekly e-mail to a manager: their team's week against the week before, in Portuguese.

Text and HTML alternatives plus the week's PDF. Team, company and manager names come from
administrators' forms and may hold anything: they are kept on one line, cut, and escaped in the
HTML (subject and headers take them on one line only, so nothing can be injected there).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Final
from urllib.parse import urlencode

from atalaia.reports.figures import duration, number, percent

NAME_CHARS: Final = 120
DAY: Final = "%d/%m"
_LINE_BREAKS: Final = re.compile(r"[\r\n\t\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class WeeklyMail:
    to: str
    name: str
    company: str
    team: str
    week_start: date  # Monday
    current: dict[str, Any]  # build_report of the week
    previous: dict[str, Any]  # build_report of the week before
    public_url: str
    pdf: bytes

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def dashboard_link(self) -> str:
        query = urlencode({"from": self.week_start.isoformat(), "to": self.week_end.isoformat(), "team": self.team})
        return f"{self.public_url.rstrip('/')}/dashboard?{query}"

    def pdf_name(self) -> str:
        return f"atalaia-semana-{self.week_start.isoformat()}.pdf"


def short(text: str) -> str:
    """One line (no header injection, no layout tricks), cut to a name's length."""
    return _LINE_BREAKS.sub(" ", text).strip()[:NAME_CHARS]


def subject(mail: WeeklyMail) -> str:
    week = f"{mail.week_start.strftime(DAY)} a {mail.week_end.strftime(DAY)}"
    return f"[Atalaia] Resumo semanal da equipe {short(mail.team)}: {week}"[:200]


def comparison(mail: WeeklyMail) -> list[tuple[str, str, str, str]]:
    """(label, this week, week before, change) for the headline figures."""
    now, before = mail.current, mail.previous
    rows = [
        _count("Mensagens recebidas", now["messages_in"], before["messages_in"]),
        _count("Mensagens enviadas", now["messages_out"], before["messages_out"]),
        _count("Conversas com atividade", now["conversations"], before["conversations"]),
        _count("Contatos novos", now["new_contacts"], before["new_contacts"]),
        _count("Sem resposta (fim da semana)", now["unanswered"], before["unanswered"]),
        _count("Alertas", now["alerts"]["total"], before["alerts"]["total"]),
    ]
    first_now, first_before = now["first_response_seconds"]["median"], before["first_response_seconds"]["median"]
    rows.insert(
        4, ("1ª resposta (mediana)", duration(first_now), duration(first_before), _trend(first_now, first_before))
    )
    share_now, share_before = now["after_hours_share"], before["after_hours_share"]
    rows.insert(
        6, ("Fora do horário comercial", percent(share_now), percent(share_before), _trend(share_now, share_before))
    )
    return rows


def _count(label: str, now: int, before: int) -> tuple[str, str, str, str]:
    change = now - before
    sign = "=" if change == 0 else (f"+{number(change)}" if change > 0 else f"−{number(-change)}")
    return label, number(now), number(before), sign


def _trend(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    return "=" if now == before else ("subiu" if now > before else "caiu")


def text_body(mail: WeeklyMail) -> str:
    greeting = f"Olá, {short(mail.name)}." if mail.name.strip() else "Olá."
    lines = [
        greeting,
        "",
        f"Resumo da equipe {short(mail.team)} na semana de {mail.week_start.strftime('%d/%m/%Y')} a "
        f"{mail.week_end.strftime('%d/%m/%Y')}, comparada com a semana anterior:",
        "",
    ]
    rows = comparison(mail)
    width = max(len(label) for label, *_ in rows)
    lines.append(f"{'':<{width}}  {'semana':>10}  {'anterior':>10}  variação")
    lines += [f"{label:<{width}}  {now:>10}  {before:>10}  {change}" for label, now, before, change in rows]
    lines += [
        "",
        "O relatório completo, com gráficos e números por linha, está no PDF anexo. Painel no Atalaia:",
        mail.dashboard_link(),
        "",
        "Este e-mail traz apenas números, nenhum texto de conversa. Não responda a este e-mail.",
    ]
    return "\n".join(lines) + "\n"


def html_body(mail: WeeklyMail) -> str:
    e = html.escape
    greeting = f"Olá, {e(short(mail.name))}." if mail.name.strip() else "Olá."
    cell = 'style="padding:4px 10px;border-bottom:1px solid #e1e4e8"'
    number_cell = 'style="padding:4px 10px;border-bottom:1px solid #e1e4e8;text-align:right"'
    rows = "".join(
        f'<tr><th align="left" {cell}>{e(label)}</th><td {number_cell}><strong>{e(now)}</strong></td>'
        f"<td {number_cell}>{e(before)}</td><td {number_cell}>{e(change)}</td></tr>"
        for label, now, before, change in comparison(mail)
    )
    head = 'style="padding:4px 10px;background:#0b5d3b;color:#fff;text-align:right"'
    return (
        '<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">'
        f"<title>{e(subject(mail))}</title></head>"
        '<body style="font-family:sans-serif;font-size:14px;color:#24292f">'
        f'<h1 style="font-size:18px;color:#0b5d3b">Resumo semanal — equipe {e(short(mail.team))}</h1>'
        f"<p>{greeting}</p>"
        f"<p>Semana de {mail.week_start.strftime('%d/%m/%Y')} a {mail.week_end.strftime('%d/%m/%Y')} "
        f"({e(short(mail.company))}), comparada com a semana anterior.</p>"
        '<table style="border-collapse:collapse" role="presentation">'
        f'<tr><th style="padding:4px 10px;background:#0b5d3b;color:#fff" align="left">Indicador</th>'
        f"<th {head}>Semana</th><th {head}>Anterior</th><th {head}>Variação</th></tr>{rows}</table>"
        "<p>O relatório completo, com gráficos e números por linha, está no PDF anexo.</p>"
        f'<p><a href="{e(mail.dashboard_link(), quote=True)}" style="background:#0b5d3b;color:#fff;'
        'padding:8px 14px;text-decoration:none;border-radius:4px">Abrir o painel da equipe</a></p>'
        '<p style="color:#666;font-size:12px">Este e-mail traz apenas números, nenhum texto de conversa. '
        "Não responda a este e-mail.</p></body></html>"
    )


def render(mail: WeeklyMail, *, sender: str, delivery: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject(mail)
    message["From"] = formataddr(("Atalaia", sender))
    message["To"] = formataddr((short(mail.name), mail.to)) if mail.name.strip() else mail.to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message["X-Atalaia-Delivery"] = delivery  # the same on every retry of one (manager, team, week)
    message.set_content(text_body(mail))
    message.add_alternative(html_body(mail), subtype="html")
    message.add_attachment(mail.pdf, maintype="application", subtype="pdf", filename=mail.pdf_name())
    return message
