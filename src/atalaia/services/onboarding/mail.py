"""The onboarding e-mail: in Portuguese, plain text and HTML, with the single-use link.

Sent through `ATALAIA_SMTP_URL` (the settings and `SmtpConfig` of notify/email.py). Names come
from administrators' forms and may hold anything: they are kept on one line, cut, and escaped in
the HTML part.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from atalaia.notify.email import SmtpConfig, deliver

Mailer = Callable[[EmailMessage], None]
NAME_CHARS: Final = 120
_LINE_BREAKS: Final = re.compile(r"[\r\n\t\x00-\x1f\x7f]+")
SUBJECTS: Final = {
    "invite": "Boas-vindas: aceite as regras de uso do WhatsApp corporativo",
    "reminder": "Lembrete: aceite as regras de uso do WhatsApp corporativo",
    "new_version": "Novas regras de uso do WhatsApp corporativo: leia e aceite",
}


@dataclass(frozen=True, slots=True)
class OnboardingMail:
    to: str
    name: str
    company: str
    link: str
    expires_at: datetime
    reason: str  # invite | reminder | new_version
    rules_version: int
    line: str | None
    timezone: str = "America/Sao_Paulo"

    def expires_local(self) -> str:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("America/Sao_Paulo")
        return self.expires_at.astimezone(zone).strftime("%d/%m/%Y às %H:%M")


def _short(text: str) -> str:
    """One line (no header injection, no layout tricks), cut to a name's length."""
    return _LINE_BREAKS.sub(" ", text).strip()[:NAME_CHARS]


def subject(mail: OnboardingMail) -> str:
    return f"[{_short(mail.company)}] {SUBJECTS.get(mail.reason, SUBJECTS['invite'])}"[:200]


def _intro(mail: OnboardingMail) -> list[str]:
    company = _short(mail.company)
    if mail.reason == "new_version":
        first = f"A {company} publicou a versão {mail.rules_version} das regras de uso do WhatsApp corporativo."
    elif mail.reason == "reminder":
        first = f"Você ainda não aceitou as regras de uso do WhatsApp corporativo da {company}."
    else:
        first = f"A {company} preparou para você uma linha corporativa de WhatsApp."
    line = f" A sua linha é {mail.line}." if mail.line else ""
    return [
        first + line,
        "Antes de usá-la, leia as regras de uso e registre o seu aceite. Em seguida, a página mostra como "
        "conectar a linha no seu celular.",
    ]


def text_body(mail: OnboardingMail) -> str:
    greeting = f"Olá, {_short(mail.name)}." if mail.name.strip() else "Olá."
    lines = [greeting, "", *_intro(mail), "", "Abra este link (ele funciona uma única vez):", mail.link, ""]
    lines += [
        f"O link vale até {mail.expires_local()}. Depois disso, peça um novo ao administrador.",
        "",
        "As conversas da linha corporativa são registradas e monitoradas, conforme as regras.",
        "Se você não esperava este e-mail, ignore-o. Não responda a este e-mail.",
    ]
    return "\n".join(lines) + "\n"


def html_body(mail: OnboardingMail) -> str:
    e = html.escape
    greeting = f"Olá, {e(_short(mail.name))}." if mail.name.strip() else "Olá."
    intro = "".join(f"<p>{e(paragraph)}</p>" for paragraph in _intro(mail))
    return (
        '<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">'
        f"<title>{e(subject(mail))}</title></head>"
        '<body style="font-family:sans-serif;font-size:14px">'
        f"<p>{greeting}</p>{intro}"
        f'<p><a href="{e(mail.link, quote=True)}">Ler e aceitar as regras de uso</a></p>'
        f"<p>O link funciona uma única vez e vale até {e(mail.expires_local())}. Depois disso, peça um novo ao "
        "administrador.</p>"
        '<p style="color:#666;font-size:12px">As conversas da linha corporativa são registradas e monitoradas, '
        "conforme as regras. Se você não esperava este e-mail, ignore-o. Não responda a este e-mail.</p>"
        "</body></html>"
    )


def render(mail: OnboardingMail, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject(mail)
    message["From"] = formataddr(("Atalaia", sender))
    message["To"] = formataddr((_short(mail.name), mail.to)) if mail.name.strip() else mail.to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(text_body(mail))
    message.add_alternative(html_body(mail), subtype="html")
    return message


def smtp_mailer(config: SmtpConfig) -> Mailer:
    """Deliver one message, or raise DeliveryError (permanent for a 5xx about it or its recipient)."""

    def send(message: EmailMessage) -> None:
        deliver(config, message)

    return send
