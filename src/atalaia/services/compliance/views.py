"""Reading alerts: the queue and one alert with its hits and history, scoped, pseudonymised, audited.

Nothing here shows message text: a hit carries its redacted match and points to its message,
which the reviewer opens through the conversation view (scoped and audited by services/access.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from atalaia.db.models import Alert, AlertHit, CaseEvent, Line, ManagedTeam, Team, User
from atalaia.domain.case import CaseStatus
from atalaia.domain.enums import Role
from atalaia.domain.policy import Category, Severity
from atalaia.errors import InvalidInput
from atalaia.services import audit
from atalaia.services.compliance.actor import Actor, alert_scope
from atalaia.services.compliance.cases import load_alert
from atalaia.services.compliance.privacy import Pseudonyms

MAX_PAGE: Final = 500
MAX_HITS_SHOWN: Final = 200  # the alert's count says how many there are in all


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    policy: str
    title: str
    rule: str
    severity: str
    category: str
    status: str
    resolution: str | None
    conversation_id: int
    line: str
    team: str | None
    employee: str  # pseudonym
    first_hit_at: datetime
    last_hit_at: datetime
    hits: int
    assignee: str | None
    escalated: bool
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("first_hit_at", "last_hit_at", "created_at"):
            data[key] = data[key].isoformat()
        return data


@dataclass(frozen=True, slots=True)
class HitView:
    message_id: int
    rule: str
    detector: str
    severity: str
    match: str  # redacted
    start: int
    end: int
    source: str
    detail: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime
    actor: str
    kind: str
    detail: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class AlertDetail:
    alert: AlertView
    hits: list[HitView]
    events: list[EventView]

    def as_json(self) -> dict[str, Any]:
        hits = [{**asdict(h), "at": h.at.isoformat()} for h in self.hits]
        events = [{**asdict(e), "at": e.at.isoformat()} for e in self.events]
        return {**self.alert.as_json(), "hit_list": hits, "history": events}


def list_alerts(
    session: Session,
    *,
    tenant_id: int,
    actor: Actor,
    pseudonyms: Pseudonyms,
    status: str | None = None,
    policy: str | None = None,
    severity: str | None = None,
    category: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[AlertView]]:
    """(total, one page) of the alerts the actor may see, most recent hit first; audited."""
    where = [alert_scope(actor, tenant_id=tenant_id)]
    if status is not None:
        try:
            where.append(Alert.status == CaseStatus(status).value)
        except ValueError:
            raise InvalidInput(f"status inválido {status!r}: use open, in_review ou resolved") from None
    if severity is not None:
        try:
            where.append(Alert.severity == Severity(severity).value)
        except ValueError:
            raise InvalidInput(f"severidade inválida {severity!r}: use low, medium, high ou critical") from None
    if category is not None:
        try:
            where.append(Alert.category == Category(category).value)
        except ValueError:
            raise InvalidInput(f"categoria inválida {category!r}: use risk ou opportunity") from None
    if policy:
        where.append(Alert.policy == policy)
    total = int(session.execute(select(func.count()).select_from(Alert).where(*where)).scalar_one())
    rows = session.execute(
        _joined()
        .where(*where)
        .order_by(Alert.last_hit_at.desc(), Alert.id.desc())
        .limit(max(1, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    ).all()
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor.label,
        user_id=actor.user_id,
        action="list_alerts",
        object_type="alert",
        detail={"status": status, "policy": policy, "severity": severity, "category": category, "count": len(rows)},
    )
    return total, [_view(row, pseudonyms) for row in rows]


def alert_detail(
    session: Session, *, tenant_id: int, alert_id: int, actor: Actor, pseudonyms: Pseudonyms
) -> AlertDetail:
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="read_alert")
    row = session.execute(_joined().where(Alert.id == alert.id)).one()
    hits = session.execute(
        select(AlertHit).where(AlertHit.alert_id == alert.id).order_by(AlertHit.at, AlertHit.id).limit(MAX_HITS_SHOWN)
    ).scalars()
    events = session.execute(
        select(CaseEvent).where(CaseEvent.alert_id == alert.id).order_by(CaseEvent.at, CaseEvent.id)
    ).scalars()
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor.label,
        user_id=actor.user_id,
        action="read_alert",
        object_type="alert",
        object_id=alert.id,
    )
    return AlertDetail(
        alert=_view(row, pseudonyms),
        hits=[
            HitView(h.message_id, h.rule, h.detector, h.severity, h.match, h.start, h.end, h.source, h.detail, h.at)
            for h in hits
        ],
        events=[EventView(e.at, e.actor, e.kind, e.detail) for e in events],
    )


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """Bare counts for an inbox header: no content, so not audited (like conversation counts)."""

    by_status: dict[str, int]
    open_by_severity: dict[str, int]  # open and in review: the work still to do
    escalated: int  # escalated and not resolved
    policies: list[tuple[str, str]]  # (policy id, title) of the visible alerts, for a filter


def alert_counts(session: Session, *, tenant_id: int, actor: Actor) -> AlertCounts:
    scope = alert_scope(actor, tenant_id=tenant_id)
    by_status = {s.value: 0 for s in CaseStatus}
    open_by_severity = {s.value: 0 for s in Severity}
    escalated = 0
    rows = session.execute(
        select(Alert.status, Alert.severity, Alert.escalated, func.count())
        .where(scope)
        .group_by(Alert.status, Alert.severity, Alert.escalated)
    ).all()
    for status, severity, is_escalated, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status != CaseStatus.RESOLVED.value:
            open_by_severity[severity] = open_by_severity.get(severity, 0) + n
            escalated += n if is_escalated else 0
    policies = session.execute(
        select(Alert.policy, func.max(Alert.title)).where(scope).group_by(Alert.policy).order_by(Alert.policy)
    ).all()
    return AlertCounts(by_status, open_by_severity, escalated, [(p, t) for p, t in policies])


@dataclass(frozen=True, slots=True)
class Assignee:
    user_id: int
    email: str
    name: str


def assignees(session: Session, *, tenant_id: int, alert_id: int, actor: Actor) -> list[Assignee]:
    """Who may be given this case: active users who can act on it (see `cases.assign`), by e-mail.

    Admins and compliance officers, and managers of the team of the alert's line; never auditors.
    `cases.assign` checks again, so this only spares the reviewer a refused choice.
    """
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="read_alert")
    line_team = select(Line.team_id).where(Line.id == alert.line_id).scalar_subquery()
    managers = select(ManagedTeam.user_id).where(ManagedTeam.tenant_id == tenant_id, ManagedTeam.team_id == line_team)
    rows = session.execute(
        select(User.id, User.email, User.name)
        .where(
            User.tenant_id == tenant_id,
            User.is_active.is_(True),
            or_(
                User.role.in_([Role.ADMIN.value, Role.COMPLIANCE.value]),
                and_(User.role == Role.MANAGER.value, User.id.in_(managers)),
            ),
        )
        .order_by(User.email)
    ).all()
    return [Assignee(user_id=r.id, email=r.email, name=r.name or "") for r in rows]


def _joined() -> Any:
    return (
        select(Alert, Line.number, Team.name.label("team"), User.email.label("assignee"))
        .join(Line, Line.id == Alert.line_id)
        .outerjoin(Team, Team.id == Alert.team_id)
        .outerjoin(User, User.id == Alert.assignee_user_id)
    )


def _view(row: Any, pseudonyms: Pseudonyms) -> AlertView:
    alert: Alert = row[0]
    return AlertView(
        id=alert.id,
        policy=alert.policy,
        title=alert.title,
        rule=alert.rule,
        severity=alert.severity,
        category=alert.category,
        status=alert.status,
        resolution=alert.resolution,
        conversation_id=alert.conversation_id,
        line=row.number,
        team=row.team,
        employee=pseudonyms.label(alert.employee_id),
        first_hit_at=alert.first_hit_at,
        last_hit_at=alert.last_hit_at,
        hits=alert.hit_count,
        assignee=row.assignee,
        escalated=alert.escalated,
        created_at=alert.created_at,
    )
