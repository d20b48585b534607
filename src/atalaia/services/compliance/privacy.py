"""Reviewer privacy: alert queues name the employee by a pseudonym; compliance may reveal, with a reason.

The pseudonym is `Colaborador #4F2A9C`: six hex digits of an HMAC of the employee's id, keyed
with a key derived from the tenant's data key. Without that key the label cannot be linked back
to a person (an unkeyed hash of a few hundred ids would be reversed in microseconds). It is
stable for one employee within a tenant, so a reviewer sees that the same person is involved
again without learning who; six digits keep collisions below 1 in 1,000 for 200 employees.
Revealing is per alert, compliance only, with a reason of some substance, and leaves a case
event and an audit entry naming who looked and why.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Employee, Team
from atalaia.domain.case import CaseEventKind
from atalaia.domain.enums import Role
from atalaia.errors import Forbidden, InvalidInput
from atalaia.security.keys import derive_key
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.cases import MAX_TEXT_CHARS, load_alert, record_event

MIN_REASON_CHARS: Final = 10  # "ok" is not a reason
UNKNOWN: Final = "Colaborador não identificado"


class Pseudonyms:
    """Labels for employees, keyed per tenant."""

    def __init__(self, data_key: bytes) -> None:
        self._key = derive_key(data_key, "atalaia/pseudonym/v1")

    def label(self, employee_id: int | None) -> str:
        if employee_id is None:
            return UNKNOWN
        digest = hmac.new(self._key, f"employee:{employee_id}".encode(), hashlib.sha256).hexdigest()
        return f"Colaborador #{digest[:6].upper()}"


@dataclass(frozen=True, slots=True)
class Revealed:
    alert_id: int
    pseudonym: str
    employee_id: int | None
    name: str | None
    email: str | None
    team: str | None


def reveal(
    session: Session, *, tenant_id: int, alert_id: int, actor: Actor, reason: str, pseudonyms: Pseudonyms
) -> Revealed:
    """The employee behind one alert's pseudonym; compliance officers only, with a reason; audited."""
    if actor.role is not Role.COMPLIANCE:
        raise Forbidden("somente a equipe de conformidade pode revelar o colaborador de um alerta")
    why = (reason or "").strip()
    if len(why) < MIN_REASON_CHARS:
        raise InvalidInput(f"informe o motivo para revelar o colaborador (ao menos {MIN_REASON_CHARS} caracteres)")
    if len(why) > MAX_TEXT_CHARS:
        raise InvalidInput(f"o motivo passa de {MAX_TEXT_CHARS} caracteres")
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_reveal")
    row = None
    if alert.employee_id is not None:
        row = session.execute(
            select(Employee.name, Employee.email, Team.name.label("team"))
            .outerjoin(Team, Team.id == Employee.team_id)
            .where(Employee.id == alert.employee_id, Employee.tenant_id == tenant_id)
        ).first()
    pseudonym = pseudonyms.label(alert.employee_id)
    record_event(
        session,
        alert=alert,
        actor=actor,
        kind=CaseEventKind.REVEAL,
        detail={"reason": why, "pseudonym": pseudonym, "employee_id": alert.employee_id},
    )
    return Revealed(
        alert_id=alert.id,
        pseudonym=pseudonym,
        employee_id=alert.employee_id,
        name=row.name if row else None,
        email=row.email if row else None,
        team=row.team if row else None,
    )
