"""Onboarding links: issued by an administrator (or a reminder), opened and accepted by the employee.

A link carries a 256-bit random token; only its SHA-256 is stored (like API tokens, see
security/tokens.py), so the database alone cannot open anyone's link. A link works once, until it
expires, and only while it is the employee's latest: a new invitation or reminder supersedes it.
Refusals name their cause (used, expired, superseded) only to whoever holds a real link; a
malformed or unknown token is just "not valid", and says nothing about any tenant or person.

Accepting (`accept`):
1. find the link by the token's hash and refuse it if it cannot be used;
2. refuse when the rules in force are not the version the employee read (published meanwhile),
   without spending the link;
3. spend the link with a conditional UPDATE, so two submissions cannot both win;
4. record the acceptance of that version (once per employee and version) with the time, the
   request's IP and user agent (bounded), and audit it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Table, select, update
from sqlalchemy.orm import Session

from atalaia.archive.sanitize import clip
from atalaia.db.models import Acceptance, Employee, Invitation, Line, Tenant, UsageRuleVersion
from atalaia.db.upsert import insert_ignore
from atalaia.domain.enums import LineStatus
from atalaia.errors import AtalaiaError, Conflict
from atalaia.security.tokens import hash_token
from atalaia.services import audit
from atalaia.services.onboarding.instructions import Instructions, connection_instructions
from atalaia.services.onboarding.usage_rules import current_rules

TOKEN_PREFIX: Final = "onb_"  # noqa: S105 - a public marker, not a secret
_TOKEN: Final = re.compile(r"onb_[A-Za-z0-9_-]{43}")
IP_CHARS: Final = 64
USER_AGENT_CHARS: Final = 400
ACCEPTANCES: Table = Acceptance.__table__  # type: ignore[assignment]

REFUSALS: Final = {
    "invalid": (404, "Este link de convite não é válido. Confira se o endereço foi copiado inteiro ou peça um "
                     "novo convite ao administrador."),
    "used": (410, "Este link já foi usado: cada convite funciona uma única vez. Se precisar ver as regras ou as "
                  "instruções de novo, peça um novo convite ao administrador."),
    "expired": (410, "Este link expirou. Peça um novo convite ao administrador."),
    "superseded": (410, "Este link foi substituído por um convite mais recente. Use o link do último e-mail "
                        "recebido."),
}  # fmt: skip
RULES_CHANGED: Final = (
    "As regras foram atualizadas enquanto a página estava aberta. Leia a nova versão abaixo e aceite de novo."
)


class InvitationRefused(AtalaiaError):
    """A link that cannot be opened or accepted; `reason` is one of REFUSALS."""

    def __init__(self, reason: str) -> None:
        status, message = REFUSALS[reason]
        super().__init__(message)
        self.status = status
        self.reason = reason


def new_invitation_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def invitation_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/onboarding/{token}"


def employee_line(session: Session, *, employee_id: int, line_id: int | None = None) -> Line | None:
    """The line named by the invitation, else the line the employee holds now (not retired)."""
    if line_id is not None:
        line = session.get(Line, line_id)
        if line is not None and line.status != LineStatus.RETIRED.value:
            return line
    return session.execute(
        select(Line)
        .where(Line.employee_id == employee_id, Line.status != LineStatus.RETIRED.value)
        .order_by(Line.id)
        .limit(1)
    ).scalar_one_or_none()


def issue(session: Session, *, employee: Employee, line_id: int | None, kind: str, rules_version: int,
          actor: str, now: datetime, days: int, user_id: int | None = None,
          ip: str | None = None) -> tuple[Invitation, str]:  # fmt: skip
    """A new link for the employee (the older ones stop working); returns the row and the token, shown once."""
    session.execute(
        update(Invitation)
        .where(Invitation.employee_id == employee.id, Invitation.superseded_at.is_(None), Invitation.used_at.is_(None))
        .values(superseded_at=now)
    )
    token = new_invitation_token()
    invitation = Invitation(
        tenant_id=employee.tenant_id, employee_id=employee.id, line_id=line_id, kind=kind,
        rules_version=rules_version, token_hash=hash_token(token), created_at=now,
        expires_at=now + timedelta(days=days), created_by=actor[:320], email_status="pending",
    )  # fmt: skip
    session.add(invitation)
    session.flush()
    audit.record(session, tenant_id=employee.tenant_id, actor=actor, user_id=user_id,
                 action="invitation_sent" if kind == "invite" else "invitation_reminder",
                 object_type="employee", object_id=employee.id, ip=ip,
                 detail={"email": employee.email, "invitation_id": invitation.id, "rules_version": rules_version,
                         "expires_at": invitation.expires_at.isoformat()})  # fmt: skip
    return invitation, token


@dataclass(frozen=True, slots=True)
class OpenedInvitation:
    """What the public page may show to whoever holds the link: the rules and a greeting, nothing else."""

    invitation_id: int
    tenant_id: int
    company: str
    employee_name: str
    rules: UsageRuleVersion
    line_number: str | None


@dataclass(frozen=True, slots=True)
class AcceptedInvitation:
    company: str
    employee_name: str
    version: int
    accepted_at: datetime
    instructions: Instructions


def _find(session: Session, token: str) -> Invitation:
    if not _TOKEN.fullmatch(token):
        raise InvitationRefused("invalid")
    invitation = session.execute(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if invitation is None:
        raise InvitationRefused("invalid")
    return invitation


def _check_usable(session: Session, invitation: Invitation, *, now: datetime, ip: str | None) -> None:
    reason = None
    if invitation.used_at is not None:
        reason = "used"
    elif invitation.superseded_at is not None:
        reason = "superseded"
    elif invitation.expires_at <= now:
        reason = "expired"
    if reason is not None:
        audit.record(session, tenant_id=invitation.tenant_id, actor="onboarding", action="invitation_refused",
                     object_type="invitation", object_id=invitation.id, outcome="denied", ip=ip,
                     detail={"reason": reason})  # fmt: skip
        raise InvitationRefused(reason)


def open_invitation(session: Session, *, token: str, now: datetime, ip: str | None = None) -> OpenedInvitation:
    """The page behind a link. A refusal of a real link is audited before it is raised (commit it)."""
    invitation = _find(session, token)
    _check_usable(session, invitation, now=now, ip=ip)
    tenant = session.get(Tenant, invitation.tenant_id)
    employee = session.get(Employee, invitation.employee_id)
    assert tenant is not None
    assert employee is not None
    line = employee_line(session, employee_id=employee.id, line_id=invitation.line_id)
    return OpenedInvitation(
        invitation_id=invitation.id, tenant_id=tenant.id, company=tenant.name, employee_name=employee.name,
        rules=current_rules(session, tenant_id=tenant.id), line_number=line.number if line else None,
    )  # fmt: skip


def accept(session: Session, *, token: str, version: int, now: datetime, ip: str | None,
           user_agent: str | None) -> AcceptedInvitation:  # fmt: skip
    """Record the employee's acceptance of `version` (the one the page showed) and spend the link."""
    invitation = _find(session, token)
    _check_usable(session, invitation, now=now, ip=ip)
    rules = current_rules(session, tenant_id=invitation.tenant_id)
    if rules.version != version:
        raise Conflict(RULES_CHANGED)
    spent = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.superseded_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
    )
    if cast(CursorResult[Any], spent).rowcount != 1:
        raise InvitationRefused("used")  # another submission of the same link got there first
    employee = session.get(Employee, invitation.employee_id)
    tenant = session.get(Tenant, invitation.tenant_id)
    assert employee is not None
    assert tenant is not None
    row = {"tenant_id": tenant.id, "employee_id": employee.id, "version_id": rules.id,
           "invitation_id": invitation.id, "accepted_at": now, "ip": clip(ip, IP_CHARS),
           "user_agent": clip(user_agent, USER_AGENT_CHARS)}  # fmt: skip
    new = insert_ignore(session, ACCEPTANCES, [row], conflict_columns=["employee_id", "version_id"])
    audit.record(session, tenant_id=tenant.id, actor=employee.email, action="usage_rules_accepted",
                 object_type="employee", object_id=employee.id, ip=ip,
                 detail={"version": rules.version, "invitation_id": invitation.id,
                         "already_accepted": not new})  # fmt: skip
    line = employee_line(session, employee_id=employee.id, line_id=invitation.line_id)
    instructions = connection_instructions(provider=line.provider if line else None,
                                           number=line.number if line else None)  # fmt: skip
    return AcceptedInvitation(company=tenant.name, employee_name=employee.name, version=rules.version,
                              accepted_at=now, instructions=instructions)  # fmt: skip
