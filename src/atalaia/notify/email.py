"""E-mail notifications over SMTP (stdlib `smtplib`), in Portuguese, as text and HTML.

`ATALAIA_SMTP_URL` says where and how: `smtp://user:password@host:587?starttls=1&from=alertas@empresa.com.br`,
or `smtps://...` for TLS from the first byte (port 465). User and password are percent-decoded.
A 5xx answer about the message or its recipient is permanent; a 4xx, a timeout, a refused
connection or a refused login (a configuration an administrator can fix) is retried.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

from atalaia.notify.base import AlertNotice, DeliveryError, Recipient

DEFAULT_SENDER: Final = "atalaia@localhost"
TIMEOUT_SECONDS: Final = 20.0
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})
_LINE_BREAKS: Final = re.compile(r"[\r\n\t]+")


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    tls: bool = False  # smtps://: TLS from the start
    sender: str = DEFAULT_SENDER
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """Parse `smtp[s]://[user[:password]@]host[:port][?starttls=1&from=...&timeout=20]`; ValueError if unclear."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("ATALAIA_SMTP_URL must start with smtp:// or smtps://")
        if not parts.hostname:
            raise ValueError("ATALAIA_SMTP_URL names no host")
        query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        unknown = set(query) - {"starttls", "from", "timeout"}
        if unknown:
            raise ValueError(f"ATALAIA_SMTP_URL: unknown option(s) {', '.join(sorted(unknown))}")
        tls = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if tls else 25)
            timeout = float(query.get("timeout", TIMEOUT_SECONDS))
        except ValueError as exc:
            raise ValueError(f"ATALAIA_SMTP_URL: {exc}") from None
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=_flag(query.get("starttls", "0")),
            tls=tls,
            sender=query.get("from") or DEFAULT_SENDER,
            timeout=timeout,
        )


class EmailNotifier:
    channel = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, notice: AlertNotice, *, recipient: Recipient, delivery: str | None = None) -> None:
        deliver(self.config, render_email(notice, recipient=recipient, sender=self.config.sender, delivery=delivery))


def deliver(config: SmtpConfig, message: EmailMessage) -> None:
    """Send one message; every failure becomes a `DeliveryError` that says whether a retry may help.
    The one SMTP client of Atalaia: alerts, onboarding and reports all go through it."""
    try:
        with _connect(config) as smtp:
            if config.starttls and not config.tls:
                smtp.starttls(context=ssl.create_default_context())
            if config.username:
                smtp.login(config.username, config.password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        raise DeliveryError(f"SMTP refused the recipient ({codes})", permanent=all(c >= 500 for c in codes)) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}: login refused", permanent=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}: {_reply(exc.smtp_error)}", permanent=exc.smtp_code >= 500) from exc
    except (smtplib.SMTPException, OSError) as exc:  # disconnects, timeouts, refused connections
        raise DeliveryError(f"SMTP unavailable: {type(exc).__name__}: {exc}", permanent=False) from exc


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.tls:
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    return smtplib.SMTP(config.host, config.port, timeout=config.timeout)


def render_email(
    notice: AlertNotice, *, recipient: Recipient, sender: str, delivery: str | None = None
) -> EmailMessage:
    """The e-mail for one recipient: subject, plain text and HTML alternatives, all in Portuguese."""
    message = EmailMessage()
    message["Subject"] = subject(notice)
    message["From"] = formataddr(("Atalaia", sender))
    message["To"] = formataddr((_one_line(recipient.name), recipient.address)) if recipient.name else recipient.address
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    if delivery:
        message["X-Atalaia-Delivery"] = delivery  # the same on every retry
    message.set_content(text_body(notice, recipient=recipient))
    message.add_alternative(html_body(notice, recipient=recipient), subtype="html")
    return message


def subject(notice: AlertNotice) -> str:
    prefix = "Alerta escalado" if notice.event == "escalated" else "Alerta"
    return _one_line(f"[Atalaia] {prefix} #{notice.alert_id} ({notice.severity_pt}): {notice.title}")[:200]


def _facts(notice: AlertNotice) -> list[tuple[str, str]]:
    return [
        ("Política", f"{notice.title} ({notice.policy})"),
        ("Regra", notice.rule),
        ("Gravidade", notice.severity_pt),
        ("Categoria", notice.category_pt),
        ("Colaborador", notice.employee),
        ("Equipe", notice.team or "—"),
        ("Linha", notice.line),
        (
            "Ocorrências",
            f"{notice.hit_count}, de {notice.local(notice.first_hit_at)} a {notice.local(notice.last_hit_at)}",
        ),
    ]


def text_body(notice: AlertNotice, *, recipient: Recipient) -> str:
    greeting = f"Olá, {_one_line(recipient.name)}." if recipient.name else "Olá."
    lines = [greeting, "", f"O Atalaia registrou um {notice.event_pt}.", ""]
    lines += [f"{label}: {_one_line(value)}" for label, value in _facts(notice)]
    if notice.excerpt:
        lines += ["", "Trecho (dados pessoais mascarados):", f"  “{_one_line(notice.excerpt)}”"]
    lines += [
        "",
        "Abra o alerta para ver o contexto e registrar a análise:",
        notice.url,
        "",
        "Por privacidade, o nome do colaborador aparece apenas no console, para a equipe de",
        "conformidade e mediante justificativa registrada. Não responda a este e-mail.",
    ]
    return "\n".join(lines) + "\n"


def html_body(notice: AlertNotice, *, recipient: Recipient) -> str:
    e = html.escape
    greeting = f"Olá, {e(_one_line(recipient.name))}." if recipient.name else "Olá."
    rows = "\n".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{e(label)}</th><td>{e(_one_line(value))}</td></tr>'
        for label, value in _facts(notice)
    )
    quote = (
        f'<p>Trecho (dados pessoais mascarados):</p><blockquote style="color:#444">{e(_one_line(notice.excerpt))}'
        "</blockquote>"
        if notice.excerpt
        else ""
    )
    return (
        '<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">'
        f"<title>{e(subject(notice))}</title></head>"
        '<body style="font-family:sans-serif;font-size:14px">'
        f"<p>{greeting}</p><p>O Atalaia registrou um <strong>{e(notice.event_pt)}</strong>.</p>"
        f"<table>{rows}</table>{quote}"
        f'<p><a href="{e(notice.url, quote=True)}">Abrir o alerta no Atalaia</a></p>'
        '<p style="color:#666;font-size:12px">Por privacidade, o nome do colaborador aparece apenas no console, '
        "para a equipe de conformidade e mediante justificativa registrada. Não responda a este e-mail.</p>"
        "</body></html>"
    )


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"ATALAIA_SMTP_URL: starttls must be 1 or 0, not {value!r}")


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()


def _reply(error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return _one_line(text)[:300]
