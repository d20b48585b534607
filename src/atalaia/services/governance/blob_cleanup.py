"""Deleting the bytes of purged or erased attachments, after the database says so.

Blobs live outside the database, so they cannot go in its transaction: the purge or erasure
queues one `blob.delete` job per digest in its own transaction, and the bytes are deleted once
it has committed. A crash in between leaves the jobs queued; the next purge or erasure finishes
them, as does a worker once `delete_blob_job` is registered for the kind. A blob still named by
an attachment that is neither purged nor erased (the same file sent again, stored once per
tenant) is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, Job
from atalaia.jobs.queue import ClaimedJob, enqueue
from atalaia.runtime import Runtime

KIND: Final = "blob.delete"
ERASED: Final = "erased"  # attachments.download_status of an erased attachment: its bytes are gone
BATCH: Final = 500


def queue_deletions(session: Session, *, tenant_id: int, digests: Iterable[str | None]) -> int:
    """Queue the deletion of these blobs in the caller's transaction; returns how many."""
    wanted = sorted({d for d in digests if d})
    for sha256 in wanted:
        enqueue(session, tenant_id=tenant_id, kind=KIND, payload={"sha256": sha256})
    return len(wanted)


def delete_queued(runtime: Runtime, *, tenant_id: int) -> int:
    """Delete the blobs queued for the tenant; returns how many were deleted."""
    deleted = 0
    last = 0
    while True:
        with transaction(runtime.sessions) as session:
            jobs = session.execute(
                select(Job.id, Job.payload)
                .where(Job.tenant_id == tenant_id, Job.kind == KIND, Job.status == "queued", Job.id > last)
                .order_by(Job.id)
                .limit(BATCH)
            ).all()
            if not jobs:
                return deleted
            for _, payload in jobs:
                sha256 = str(payload.get("sha256", ""))
                if sha256 and not _still_named(session, tenant_id, sha256):
                    runtime.blobs.backend.delete(runtime.blobs.key_for(tenant_id=tenant_id, sha256=sha256))
                    deleted += 1
            session.execute(
                update(Job)
                .where(Job.id.in_([job_id for job_id, _ in jobs]))
                .values(status="done", finished_at=datetime.now(UTC))
            )
            last = jobs[-1][0]


def delete_blob_job(runtime: Runtime, job: ClaimedJob) -> None:
    """The worker's handler for one `blob.delete` job (register it under KIND in jobs/worker.py)."""
    sha256 = str(job.payload.get("sha256", ""))
    with runtime.sessions() as session:
        named = not sha256 or _still_named(session, job.tenant_id, sha256)
    if not named:
        runtime.blobs.backend.delete(runtime.blobs.key_for(tenant_id=job.tenant_id, sha256=sha256))


def _still_named(session: Session, tenant_id: int, sha256: str) -> bool:
    return (
        session.execute(
            select(Attachment.id)
            .where(
                Attachment.tenant_id == tenant_id,
                Attachment.sha256 == sha256,
                Attachment.download_status != ERASED,
            )
            .limit(1)
        ).first()
        is not None
    )
