"""The register of data subjects' requests (LGPD art. 18): what was asked, by when, with what outcome.

The LGPD gives the controller 15 days to answer a complete request (art. 19, II), so each
request carries its deadline. A request only partly served (some data under a legal hold) stays
open; running the erasure again after the hold is released completes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import SubjectRequest

DEADLINE: Final = timedelta(days=15)
KINDS: Final = ("erasure", "access", "correction")  # art. 18 VI, II/V and III; a correction closes at once
OPEN_STATUSES: Final = ("open", "partial")


def open_request(
    session: Session,
    *,
    tenant_id: int,
    kind: str,
    contact_id: int | None,
    subject: str,
    reason: str,
    actor: str,
    now: datetime,
) -> SubjectRequest:
    """The subject's open request of this kind, or a new one due in 15 days."""
    if kind not in KINDS:
        raise ValueError(f"unknown subject request kind {kind!r}")
    if contact_id is not None:
        current = session.execute(
            select(SubjectRequest)
            .where(
                SubjectRequest.tenant_id == tenant_id,
                SubjectRequest.kind == kind,
                SubjectRequest.contact_id == contact_id,
                SubjectRequest.status.in_(OPEN_STATUSES),
            )
            .order_by(SubjectRequest.id)
            .limit(1)
        ).scalar_one_or_none()
        if current is not None:
            return current
    request = SubjectRequest(
        tenant_id=tenant_id,
        kind=kind,
        contact_id=contact_id,
        subject=subject,
        reason=reason,
        status="open",
        received_at=now,
        due_at=now + DEADLINE,
        erased=0,
        held=0,
        actor=actor,
    )
    session.add(request)
    session.flush()
    return request


def close_request(request: SubjectRequest, *, erased: int, held: int, now: datetime) -> None:
    """done: nothing left; partial: some data held, still open; refused: all of it held."""
    request.erased += erased
    request.held = held
    if held == 0:
        request.status, request.completed_at = "done", now
    elif request.erased == 0:
        request.status, request.completed_at = "refused", now
    else:
        request.status = "partial"


def list_requests(session: Session, *, tenant_id: int, status: str | None = None) -> list[SubjectRequest]:
    query = select(SubjectRequest).where(SubjectRequest.tenant_id == tenant_id)
    if status:
        query = query.where(SubjectRequest.status == status)
    return list(session.execute(query.order_by(SubjectRequest.id)).scalars())


def request_as_dict(request: SubjectRequest, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return {
        "id": request.id,
        "kind": request.kind,
        "subject": request.subject,
        "contact_id": request.contact_id,
        "reason": request.reason,
        "status": request.status,
        "received_at": request.received_at.isoformat(),
        "due_at": request.due_at.isoformat(),
        "completed_at": request.completed_at.isoformat() if request.completed_at else None,
        "overdue": request.status in OPEN_STATUSES and now > request.due_at,
        "erased": request.erased,
        "held": request.held,
        "actor": request.actor,
    }
