"""The job queue over the `jobs` table.

A job row is written in the same transaction as the work that needs it (an attachment waiting
for its bytes), so it can never be lost or orphaned. Claiming is atomic: on PostgreSQL
`FOR UPDATE SKIP LOCKED` lets many workers take different jobs without waiting; on SQLite a
conditional UPDATE (`WHERE status = 'queued'`) makes sure only one claimant wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from atalaia.db.models import Job

BACKOFF_BASE: Final = timedelta(seconds=30)
BACKOFF_CAP: Final = timedelta(hours=6)
STALE_CLAIM: Final = timedelta(minutes=15)  # a worker killed mid-job frees it after this


class JobFailed(Exception):
    """Raised by a handler; `permanent` failures are not retried (a 404, a hash mismatch)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    tenant_id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def enqueue(
    session: Session,
    *,
    tenant_id: int,
    kind: str,
    payload: dict[str, Any],
    run_after: datetime | None = None,
    urgent: bool = False,
) -> None:
    """`urgent`: someone is waiting for it; it goes before every bulk job already queued."""
    now = datetime.now(UTC)
    session.add(
        Job(
            tenant_id=tenant_id,
            kind=kind,
            payload=payload,
            status="queued",
            attempts=0,
            max_attempts=8,
            run_after=run_after or now,
            priority=0 if urgent else 1,
            created_at=now,
        )
    )


def claim_next(session: Session, *, worker: str, kinds: tuple[str, ...] | None = None) -> ClaimedJob | None:
    """Take one ready job (or one whose claimant died); None when there is nothing to do."""
    now = datetime.now(UTC)
    ready = (Job.status == "queued") & (Job.run_after <= now)
    stale = (Job.status == "running") & (Job.claimed_at < now - STALE_CLAIM)
    query = select(Job).where(ready | stale).order_by(Job.priority, Job.run_after, Job.id).limit(1)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.execute(query).scalar_one_or_none()
    if job is None:
        return None
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == job.status, Job.attempts == job.attempts)
            .values(status="running", claimed_at=now, claimed_by=worker, attempts=job.attempts + 1)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:
        return None  # another worker got there first
    return ClaimedJob(
        id=job.id, tenant_id=job.tenant_id, kind=job.kind, payload=dict(job.payload), attempts=job.attempts + 1
    )


def finish(session: Session, job_id: int) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(status="done", finished_at=datetime.now(UTC)))


def retry_or_fail(session: Session, job: ClaimedJob, error: JobFailed) -> str:
    """Schedule the next attempt with exponential back-off, or fail for good; returns the status."""
    row = session.get(Job, job.id)
    if row is None:
        return "failed"
    now = datetime.now(UTC)
    if error.permanent or job.attempts >= row.max_attempts:
        row.status, row.finished_at = "failed", now
    else:
        delay = min(BACKOFF_BASE * (2 ** (job.attempts - 1)), BACKOFF_CAP)
        row.status, row.run_after = "queued", now + delay
    row.last_error = str(error)[:2000]
    return row.status
