"""The notice to the employee an alert is about: the tenant's template, e-mailed, recorded in the case.

1. Compliance only (the role that may reveal who an alert is about); an auditor never writes.
2. Refused, with the reason and nothing written, when the alert names no employee, the employee
   has no e-mail, or the sender has not revealed this alert's employee: sending tells the sender
   who the person is (the recipient's address and name), so it follows the reveal that is audited
   with a reason, rather than becoming a way around it.
3. The e-mail holds the policy's name, the date and what to do, from the template; never a
   message's text or an excerpt (the template has no field for them). Text and HTML (escaped).
4. Sent here, in the request, before the case event and audit entry are written, so no lock is
   held while the SMTP server answers; a delivery failure is recorded as `failed` (the history
   and the audit say so), a success as `sent`, both with the template's version. The history
   names neither the address nor the name: managers read it under the pseudonym.
Why: docs/decisions/0024-case-evidence-and-employee-notice.md.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import CaseEvent, Employee, Tenant
from atalaia.domain.case import CaseEventKind
from atalaia.domain.enums import Role
from atalaia.errors import Conflict, Forbidden, NotFound
from atalaia.notify.base import DeliveryError
from atalaia.notify.email import SmtpConfig
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.cases import load_alert, record_event
from atalaia.services.compliance.notice_templates import RenderedNotice, current_template, local_date, render
from atalaia.services.onboarding.mail import Mailer, smtp_mailer
from atalaia.settings import Settings

MAX_ERROR_CHARS: Final = 300


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    alert_id: int
    status: str  # sent | failed
    template_version: int
    error: str | None


@dataclass(frozen=True, slots=True)
class Outbox:
    """Where notices go: a mailer and its sender address, or why there is none."""

    mailer: Mailer | None
    sender: str
    problem: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Outbox:
        url = settings.smtp_url.get_secret_value().strip() if settings.smtp_url is not None else ""
        if not url:
            return cls(None, "", "ATALAIA_SMTP_URL não está configurado")
        try:
            config = SmtpConfig.from_url(url)
        except ValueError as exc:
            return cls(None, "", str(exc))  # never contains the password
        return cls(smtp_mailer(config), config.sender)


def send_employee_notice(
    session: Session, *, tenant_id: int, alert_id: int, actor: Actor, outbox: Outbox
) -> NoticeOutcome:
    """Render, send and record one notice; refusals raise before anything is sent or written."""
    actor.require_write()
    if actor.role is not Role.COMPLIANCE:
        raise Forbidden("somente a equipe de conformidade envia o aviso ao colaborador")
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_employee_notice")
    if alert.employee_id is None:
        raise Conflict("este alerta não tem colaborador identificado; não há a quem avisar")
    employee = session.execute(
        select(Employee).where(Employee.id == alert.employee_id, Employee.tenant_id == tenant_id)
    ).scalar_one_or_none()
    if employee is None:
        raise NotFound("colaborador não encontrado")
    revealed = session.execute(
        select(CaseEvent.id).where(
            CaseEvent.alert_id == alert.id,
            CaseEvent.kind == CaseEventKind.REVEAL.value,
            CaseEvent.user_id == actor.user_id,
        )
    ).first()
    if actor.user_id is None or revealed is None:
        raise Conflict(
            "revele o colaborador deste alerta (com o motivo) antes de enviar o aviso: o envio mostra quem é"
        )
    address = (employee.email or "").strip()
    if "@" not in address:
        raise Conflict("o colaborador não tem e-mail cadastrado; atualize o cadastro antes de enviar o aviso")
    if outbox.mailer is None:
        raise Conflict(f"o envio de e-mails não está configurado: {outbox.problem}")
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    template = current_template(session, tenant_id=tenant_id)
    notice = render(
        template,
        {
            "colaborador": employee.name,
            "empresa": tenant.name,
            "politica": alert.title,
            "data": local_date(alert.first_hit_at, tenant.timezone),
            "alerta": str(alert.id),
            "contato": actor.label,
        },
    )
    message = build_message(notice, to=address, name=employee.name, sender=outbox.sender, reply_to=actor.label)
    status, error = "sent", None
    try:
        outbox.mailer(message)
    except DeliveryError as exc:
        status, error = "failed", str(exc).replace(address, "[e-mail]")[:MAX_ERROR_CHARS]
    detail: dict[str, Any] = {"status": status, "template_version": template.version, "employee_id": employee.id}
    if error:
        detail["error"] = error
    record_event(session, alert=alert, actor=actor, kind=CaseEventKind.NOTICE, detail=detail)
    return NoticeOutcome(alert_id=alert.id, status=status, template_version=template.version, error=error)


def build_message(notice: RenderedNotice, *, to: str, name: str, sender: str, reply_to: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = formataddr(("Atalaia", sender))
    message["To"] = formataddr((" ".join(name.split())[:200], to)) if name.strip() else to
    if "@" in reply_to and "\n" not in reply_to and "\r" not in reply_to:
        message["Reply-To"] = reply_to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(notice.text if notice.text.endswith("\n") else notice.text + "\n")
    message.add_alternative(html_body(notice), subtype="html")
    return message


def html_body(notice: RenderedNotice) -> str:
    """The same text, every character escaped; blank lines make paragraphs."""
    e = html.escape
    paragraphs = [p for p in notice.text.split("\n\n") if p.strip()]
    body = "".join(f"<p>{'<br>'.join(e(line) for line in p.strip().splitlines())}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="pt-BR"><head><meta charset="utf-8">'
        f"<title>{e(notice.subject)}</title></head>"
        f'<body style="font-family:sans-serif;font-size:14px">{body}</body></html>'
    )
