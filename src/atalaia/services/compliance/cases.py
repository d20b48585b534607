"""The case workflow around an alert: review, assign, comment, resolve, reopen, escalate.

Every action:
1. refuses auditors (read-only) with Forbidden;
2. loads the alert within the actor's scope, locked for the rest of the transaction; one out of
   scope answers like a missing one (NotFound) after a denied entry in the audit log;
3. checks the move against `domain.case.TRANSITIONS` (anything else is a Conflict);
4. writes a case event (the history reviewers read) and an audit entry (the evidence auditors read).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Alert, CaseEvent, User
from atalaia.domain.case import CaseEventKind, CaseStatus, Resolution, can_move
from atalaia.domain.enums import Role
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.jobs.queue import enqueue
from atalaia.services import audit
from atalaia.services.compliance.actor import Actor, actor_for_user, alert_scope
from atalaia.services.compliance.scanning import NOTIFY_KIND

MAX_TEXT_CHARS: Final = 4000  # a comment or a reason
NOT_FOUND: Final = "alerta não encontrado"
STATUS_PT: Final = {
    CaseStatus.OPEN: "aberto",
    CaseStatus.IN_REVIEW: "em análise",
    CaseStatus.RESOLVED: "resolvido",
}


def load_alert(
    session: Session, *, tenant_id: int, alert_id: int, actor: Actor, action: str, for_update: bool = False
) -> Alert:
    """The alert if the actor may see it; NotFound otherwise (a denied attempt is audited first)."""
    query = select(Alert).where(Alert.id == alert_id, alert_scope(actor, tenant_id=tenant_id))
    if for_update:
        query = query.with_for_update()
    alert = session.execute(query).scalar_one_or_none()
    if alert is not None:
        return alert
    exists = session.execute(select(Alert.id).where(Alert.id == alert_id, Alert.tenant_id == tenant_id)).first()
    if exists is not None:
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor.label,
            user_id=actor.user_id,
            action=action,
            object_type="alert",
            object_id=alert_id,
            outcome="denied",
            detail={"why": "out of scope"},
        )
    raise NotFound(NOT_FOUND)


def record_event(
    session: Session, *, alert: Alert, actor: Actor, kind: CaseEventKind, detail: dict[str, Any]
) -> CaseEvent:
    now = datetime.now(UTC)
    event = CaseEvent(
        tenant_id=alert.tenant_id,
        alert_id=alert.id,
        at=now,
        actor=actor.label[:320],
        user_id=actor.user_id,
        kind=kind.value,
        detail=detail,
    )
    session.add(event)
    alert.updated_at = now
    audit.record(
        session,
        tenant_id=alert.tenant_id,
        actor=actor.label,
        user_id=actor.user_id,
        action=f"alert_{kind.value}",
        object_type="alert",
        object_id=alert.id,
        detail=detail,
    )
    session.flush()
    return event


def start_review(session: Session, *, tenant_id: int, alert_id: int, actor: Actor) -> Alert:
    return move(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, to=CaseStatus.IN_REVIEW)


def reopen(session: Session, *, tenant_id: int, alert_id: int, actor: Actor, reason: str) -> Alert:
    return move(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, to=CaseStatus.OPEN, reason=reason)


def resolve(session: Session, *, tenant_id: int, alert_id: int, actor: Actor, resolution: str, reason: str) -> Alert:
    try:
        parsed = Resolution(resolution)
    except ValueError:
        raise InvalidInput(f"resolução inválida {resolution!r}: use confirmed ou false_positive") from None
    return move(
        session,
        tenant_id=tenant_id,
        alert_id=alert_id,
        actor=actor,
        to=CaseStatus.RESOLVED,
        resolution=parsed,
        reason=reason,
    )


def move(
    session: Session,
    *,
    tenant_id: int,
    alert_id: int,
    actor: Actor,
    to: CaseStatus,
    resolution: Resolution | None = None,
    reason: str | None = None,
) -> Alert:
    """One status change from the transition table; resolving needs a resolution and a reason."""
    actor.require_write()
    alert = load_alert(
        session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_status", for_update=True
    )
    current = CaseStatus(alert.status)
    if not can_move(current, to):
        raise Conflict(f"o alerta {alert.id} está {STATUS_PT[current]} e não pode passar a {STATUS_PT[to]}")
    if to is CaseStatus.RESOLVED:
        if resolution is None:
            raise InvalidInput("informe a resolução: confirmed ou false_positive")
        reason = _text(reason, what="o motivo da resolução")
    elif reason is not None:
        reason = _text(reason, what="o motivo")
    now = datetime.now(UTC)
    alert.status = to.value
    alert.resolution = resolution.value if to is CaseStatus.RESOLVED and resolution else None
    alert.resolved_at = now if to is CaseStatus.RESOLVED else None
    detail: dict[str, Any] = {"from": current.value, "to": to.value}
    if alert.resolution:
        detail["resolution"] = alert.resolution
    if reason:
        detail["reason"] = reason
    record_event(session, alert=alert, actor=actor, kind=CaseEventKind.STATUS, detail=detail)
    return alert


def assign(session: Session, *, tenant_id: int, alert_id: int, actor: Actor, assignee_user_id: int | None) -> Alert:
    """Give the case to someone who may act on it (or to nobody)."""
    actor.require_write()
    alert = load_alert(
        session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_assign", for_update=True
    )
    if alert.status == CaseStatus.RESOLVED.value:
        raise Conflict(f"o alerta {alert.id} está resolvido; reabra-o antes de atribuir")
    detail: dict[str, Any] = {"from": alert.assignee_user_id, "to": assignee_user_id}
    if assignee_user_id is not None:
        try:
            assignee = actor_for_user(session, tenant_id=tenant_id, user_id=assignee_user_id)
        except NotFound:
            raise InvalidInput(f"usuário {assignee_user_id} não existe ou está inativo") from None
        visible = session.execute(
            select(Alert.id).where(Alert.id == alert.id, alert_scope(assignee, tenant_id=tenant_id))
        ).first()
        if assignee.role is Role.AUDITOR or visible is None:
            raise InvalidInput(f"{assignee.label} não pode atuar neste alerta")
        detail["to_email"] = assignee.label
    alert.assignee_user_id = assignee_user_id
    record_event(session, alert=alert, actor=actor, kind=CaseEventKind.ASSIGN, detail=detail)
    return alert


def comment(session: Session, *, tenant_id: int, alert_id: int, actor: Actor, text: str) -> CaseEvent:
    actor.require_write()
    body = _text(text, what="o comentário")
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_comment")
    return record_event(session, alert=alert, actor=actor, kind=CaseEventKind.COMMENT, detail={"text": body})


def escalate(session: Session, *, tenant_id: int, alert_id: int, actor: Actor, reason: str) -> Alert:
    """Hand the case to compliance (typically a manager asking for help); compliance is notified."""
    actor.require_write()
    why = _text(reason, what="o motivo da escalada")
    alert = load_alert(
        session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="alert_escalate", for_update=True
    )
    if alert.status == CaseStatus.RESOLVED.value:
        raise Conflict(f"o alerta {alert.id} está resolvido; reabra-o antes de escalar")
    if alert.escalated:
        raise Conflict(f"o alerta {alert.id} já foi escalado")
    alert.escalated = True
    record_event(session, alert=alert, actor=actor, kind=CaseEventKind.ESCALATE, detail={"reason": why})
    enqueue(
        session,
        tenant_id=tenant_id,
        kind=NOTIFY_KIND,
        payload={"alert_id": alert.id, "event": "escalated"},
        urgent=True,
    )
    return alert


def user_email(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.execute(select(User.email).where(User.id == user_id)).scalar_one_or_none()


def _text(value: str | None, *, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"informe {what}")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(f"{what} passa de {MAX_TEXT_CHARS} caracteres")
    return text
