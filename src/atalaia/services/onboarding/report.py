"""Who accepted which version of the usage rules: the console's /admin/acceptances and `atalaia people acceptances`.

One row per employee (their latest acceptance, whether it is of the version in force, and their
latest link), and the full history of acceptances. A manager sees the employees of the teams they
manage; the other roles the whole tenant. Reading it is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from atalaia.db.models import Acceptance, Employee, Invitation, Line, Team, UsageRuleVersion
from atalaia.domain.enums import LineStatus
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.onboarding.usage_rules import current_rules

STATUS_PT: Final = {
    "accepted": "aceitou a versão em vigor",
    "outdated": "aceitou uma versão anterior",
    "pending": "convidado, sem aceite",
    "not_invited": "não convidado",
}
CSV_HEADER: Final = (
    "email", "nome", "equipe", "linha", "situacao", "versao_aceita", "aceito_em", "ip", "navegador",
    "ultimo_convite", "convite", "email_do_convite",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EmployeeAcceptance:
    employee_id: int
    email: str
    name: str
    team: str | None
    line: str | None
    status: str  # accepted | outdated | pending | not_invited
    accepted_version: int | None
    accepted_at: datetime | None
    ip: str | None
    user_agent: str | None
    invited_at: datetime | None
    invitation: str | None  # open | used | expired | superseded
    email_status: str | None

    @property
    def status_pt(self) -> str:
        return STATUS_PT[self.status]


@dataclass(frozen=True, slots=True)
class AcceptanceEvent:
    email: str
    name: str
    version: int
    accepted_at: datetime
    ip: str | None
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class AcceptanceReport:
    current_version: int
    published_at: datetime
    employees: list[EmployeeAcceptance]
    history: list[AcceptanceEvent]

    def as_json(self) -> dict[str, Any]:
        def plain(row: Any) -> dict[str, Any]:
            return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(row).items()}

        return {
            "current_version": self.current_version,
            "published_at": self.published_at.isoformat(),
            "accepted": sum(1 for e in self.employees if e.status == "accepted"),
            "employees": [plain(e) for e in self.employees],
            "acceptances": [plain(a) for a in self.history],
        }

    def csv_rows(self) -> Iterable[tuple[Any, ...]]:
        yield CSV_HEADER
        for e in self.employees:
            yield (e.email, e.name, e.team, e.line, e.status_pt, e.accepted_version,
                   e.accepted_at.isoformat() if e.accepted_at else None, e.ip, e.user_agent,
                   e.invited_at.isoformat() if e.invited_at else None, e.invitation, e.email_status)  # fmt: skip


def _invitation_state(invitation: Invitation | None, now: datetime) -> str | None:
    if invitation is None:
        return None
    if invitation.used_at is not None:
        return "used"
    if invitation.superseded_at is not None:
        return "superseded"
    return "expired" if invitation.expires_at <= now else "open"


def acceptance_report(
    session: Session, *, tenant_id: int, now: datetime, team_ids: frozenset[int] | None = None
) -> AcceptanceReport:
    """`team_ids` None: the whole tenant; otherwise only employees of those teams."""
    rules = current_rules(session, tenant_id=tenant_id)
    in_scope: ColumnElement[bool] = Employee.team_id.in_(team_ids) if team_ids is not None else true()
    employees = session.execute(
        select(Employee, Team.name)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(Employee.tenant_id == tenant_id, in_scope)
        .order_by(Employee.email)
    ).all()
    ids = [employee.id for employee, _ in employees]
    latest_invite = {
        row.employee_id: row
        for row in session.execute(
            select(Invitation).where(
                Invitation.id.in_(
                    select(func.max(Invitation.id))
                    .where(Invitation.employee_id.in_(ids))
                    .group_by(Invitation.employee_id)
                )
            )
        ).scalars()
    }
    lines: dict[int, str] = {}
    for employee_id, number in session.execute(
        select(Line.employee_id, Line.number)
        .where(Line.employee_id.in_(ids), Line.status != LineStatus.RETIRED.value)
        .order_by(Line.number.desc())
    ):
        if employee_id is not None:
            lines[employee_id] = number
    accepted = session.execute(
        select(Acceptance, UsageRuleVersion.version, Employee.email, Employee.name)
        .join(UsageRuleVersion, UsageRuleVersion.id == Acceptance.version_id)
        .join(Employee, Employee.id == Acceptance.employee_id)
        .where(Acceptance.tenant_id == tenant_id, Acceptance.employee_id.in_(ids))
        .order_by(Acceptance.accepted_at.desc(), Acceptance.id.desc())
    ).all()
    last: dict[int, tuple[Acceptance, int]] = {}
    for acceptance, version, _, _ in accepted:
        best = last.get(acceptance.employee_id)
        if best is None or version > best[1]:
            last[acceptance.employee_id] = (acceptance, version)
    rows = []
    for employee, team in employees:
        found = last.get(employee.id)
        invitation = latest_invite.get(employee.id)
        if found is not None and found[1] == rules.version:
            status = "accepted"
        elif found is not None:
            status = "outdated"
        else:
            status = "pending" if invitation is not None else "not_invited"
        rows.append(EmployeeAcceptance(
            employee_id=employee.id, email=employee.email, name=employee.name, team=team,
            line=lines.get(employee.id), status=status, accepted_version=found[1] if found else None,
            accepted_at=found[0].accepted_at if found else None, ip=found[0].ip if found else None,
            user_agent=found[0].user_agent if found else None,
            invited_at=invitation.created_at if invitation else None,
            invitation=_invitation_state(invitation, now), email_status=invitation.email_status if invitation else None,
        ))  # fmt: skip
    history = [AcceptanceEvent(email=email, name=name, version=version, accepted_at=a.accepted_at, ip=a.ip,
                               user_agent=a.user_agent) for a, version, email, name in accepted]  # fmt: skip
    return AcceptanceReport(current_version=rules.version, published_at=rules.published_at, employees=rows,
                            history=history)  # fmt: skip


def read_acceptances(session: Session, *, principal: Principal, now: datetime, ip: str | None = None,
                     via: str = "console") -> AcceptanceReport:  # fmt: skip
    """The report within the principal's scope, audited as a read."""
    scope = None if principal.sees_whole_tenant else principal.team_ids
    report = acceptance_report(session, tenant_id=principal.tenant_id, now=now, team_ids=scope)
    audit.record(session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
                 action="acceptances_read", object_type="usage_rules", object_id=report.current_version, ip=ip,
                 detail={"employees": len(report.employees), "via": via})  # fmt: skip
    return report


def free_lines(session: Session, *, tenant_id: int) -> list[str]:
    """Numbers of the lines nobody holds (and not retired): what an invitation can hand out."""
    return list(
        session.execute(
            select(Line.number)
            .where(Line.tenant_id == tenant_id, Line.employee_id.is_(None), Line.status != LineStatus.RETIRED.value)
            .order_by(Line.number)
        ).scalars()
    )
