"""Inviting an employee: the link is committed first, then e-mailed, then the outcome recorded.

The token exists only in this process's memory between the commit and the e-mail (the database
keeps its hash), so the e-mail is sent here rather than by a queued job. A failed delivery is
recorded on the invitation (`email_status`): the administrator sees it and can invite again, and
the reminders retry transient failures. Without `ATALAIA_SMTP_URL` nothing is sent and the link is
handed back so the administrator can deliver it another way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from atalaia.db.engine import transaction
from atalaia.db.models import Employee, Invitation, Tenant
from atalaia.errors import Conflict, InvalidInput
from atalaia.notify.base import DeliveryError
from atalaia.notify.email import SmtpConfig
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.lines import get_line, reassign_line
from atalaia.services.onboarding.invitations import employee_line, invitation_link, issue
from atalaia.services.onboarding.mail import Mailer, OnboardingMail, render, smtp_mailer
from atalaia.services.onboarding.usage_rules import current_rules
from atalaia.services.people import ensure_employee, ensure_team, normalise_email
from atalaia.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SentInvitation:
    invitation_id: int
    employee_id: int
    email: str
    name: str
    line: str | None
    link: str  # shown to the administrator only when the e-mail could not be sent
    expires_at: datetime
    email_status: str  # sent | failed | retrying | not_configured
    email_error: str | None


def settings_mailer(settings: Settings) -> tuple[Mailer | None, str | None]:
    """The SMTP mailer of ATALAIA_SMTP_URL, or None and why not."""
    url = settings.smtp_url.get_secret_value().strip() if settings.smtp_url is not None else ""
    if not url:
        return None, "ATALAIA_SMTP_URL não está configurado"
    try:
        config = SmtpConfig.from_url(url)
    except ValueError as exc:
        return None, str(exc)  # never contains the password
    return smtp_mailer(config), None


def sender_of(settings: Settings) -> str:
    url = settings.smtp_url.get_secret_value().strip() if settings.smtp_url is not None else ""
    try:
        return SmtpConfig.from_url(url).sender if url else "atalaia@localhost"
    except ValueError:
        return "atalaia@localhost"


@dataclass(frozen=True, slots=True)
class PreparedInvitation:
    """An invitation written in the caller's transaction, with the e-mail to send once it commits."""

    invitation_id: int
    employee_id: int
    mail: OnboardingMail


def prepare_invitation(session: Session, *, settings: Settings, tenant_id: int, email: str, name: str,
                       team: str | None, line: str | None, actor: str, now: datetime, user_id: int | None = None,
                       ip: str | None = None) -> PreparedInvitation:  # fmt: skip
    """Create or find the employee, give them the line if it is free, and issue a link (audited).

    An existing employee keeps their name and team; a team is only filled in when they had none.
    """
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise InvalidInput("informe o nome da pessoa (até 200 caracteres)")
    try:
        address = normalise_email(email)
    except InvalidInput:
        raise InvalidInput("e-mail inválido") from None
    team_row = ensure_team(session, tenant_id=tenant_id, name=team) if team and team.strip() else None
    employee = ensure_employee(session, tenant_id=tenant_id, email=address, name=name,
                               team_id=team_row.id if team_row else None)  # fmt: skip
    if team_row is not None and employee.team_id is None:
        employee.team_id = team_row.id
    line_id = _line_for(session, tenant_id=tenant_id, employee=employee, number=line, now=now, actor=actor,
                        user_id=user_id, ip=ip)  # fmt: skip
    rules = current_rules(session, tenant_id=tenant_id)
    invitation, token = issue(session, employee=employee, line_id=line_id, kind="invite",
                              rules_version=rules.version, actor=actor, now=now, days=settings.invitation_days,
                              user_id=user_id, ip=ip)  # fmt: skip
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    held = employee_line(session, employee_id=employee.id, line_id=line_id)
    mail = OnboardingMail(to=employee.email, name=employee.name, company=tenant.name,
                          link=invitation_link(settings.public_url, token), expires_at=invitation.expires_at,
                          reason="invite", rules_version=rules.version, line=held.number if held else None,
                          timezone=tenant.timezone)  # fmt: skip
    return PreparedInvitation(invitation_id=invitation.id, employee_id=employee.id, mail=mail)


def invite_employee(runtime: Runtime, *, tenant_id: int, email: str, name: str, team: str | None, line: str | None,
                    actor: str, now: datetime, user_id: int | None = None, ip: str | None = None,
                    mailer: Mailer | None = None) -> SentInvitation:  # fmt: skip
    """`prepare_invitation` committed, then the e-mail sent and its outcome recorded."""
    with transaction(runtime.sessions) as session:
        prepared = prepare_invitation(session, settings=runtime.settings, tenant_id=tenant_id, email=email,
                                      name=name, team=team, line=line, actor=actor, now=now, user_id=user_id,
                                      ip=ip)  # fmt: skip
    status, error = deliver(runtime, invitation_id=prepared.invitation_id, mail=prepared.mail, mailer=mailer)
    return sent_invitation(prepared, status=status, error=error)


def sent_invitation(prepared: PreparedInvitation, *, status: str, error: str | None) -> SentInvitation:
    mail = prepared.mail
    return SentInvitation(invitation_id=prepared.invitation_id, employee_id=prepared.employee_id, email=mail.to,
                          name=mail.name, line=mail.line, link=mail.link, expires_at=mail.expires_at,
                          email_status=status, email_error=error)  # fmt: skip


def _line_for(session: Session, *, tenant_id: int, employee: Employee, number: str | None, now: datetime,
              actor: str, user_id: int | None, ip: str | None) -> int | None:  # fmt: skip
    """The named line, assigned to the employee when it is free; refused when someone else holds it."""
    if not number or not number.strip():
        return None
    found = get_line(session, tenant_id=tenant_id, number=number)
    if found.status == "retired":
        raise Conflict(f"a linha {found.number} foi aposentada")
    if found.employee_id is None:
        reassign_line(session, tenant_id=tenant_id, number=found.number, employee_email=employee.email, now=now)
        audit.record(session, tenant_id=tenant_id, actor=actor, user_id=user_id, action="line_reassigned",
                     object_type="line", object_id=found.id, ip=ip,
                     detail={"from": None, "to": employee.email, "via": "invitation"})  # fmt: skip
    elif found.employee_id != employee.id:
        raise Conflict(f"a linha {found.number} está atribuída a outra pessoa; reatribua-a antes de convidar")
    return found.id


def deliver(runtime: Runtime, *, invitation_id: int, mail: OnboardingMail,
            mailer: Mailer | None) -> tuple[str, str | None]:  # fmt: skip
    """Send the e-mail and record the outcome on the invitation; returns (status, error)."""
    error: str | None = None
    if mailer is None:
        mailer, error = settings_mailer(runtime.settings)
    if mailer is None:
        status = "not_configured"
    else:
        try:
            mailer(render(mail, sender=sender_of(runtime.settings)))
        except DeliveryError as exc:
            status, error = ("failed" if exc.permanent else "retrying"), str(exc)[:500]
            log.warning("onboarding e-mail of invitation %s failed: %s", invitation_id, exc)
        else:
            status, error = "sent", None
    with transaction(runtime.sessions) as session:
        record_delivery(session, invitation_id=invitation_id, status=status, error=error)
    return status, error


def record_delivery(session: Session, *, invitation_id: int, status: str, error: str | None) -> None:
    session.execute(
        update(Invitation).where(Invitation.id == invitation_id).values(email_status=status, email_error=error)
    )
