"""The `attachment.extract` job: extract an attachment's text, store it, scan it, make it searchable.

Queued by `jobs/extraction.py` in the transaction that stores the bytes (the archive writer for
inline bytes, the media job after a download), one job per attachment.
1. Read the attachment; one already extracted (a retried job) is left alone, except one marked
   `unavailable` (OCR was not installed then), which is tried again.
2. Decrypt its bytes and extract them in a killable child process (`atalaia.extract`), unless
   the stored size is already over the input bound. Every outcome is a row: text, or the reason
   there is none. A bad file ends the job normally: nothing about it improves with a retry.
3. In one transaction: the row, the active policies run on the text (hits marked
   `attachment_text`, grouped into alerts as usual), and the message reindexed with it.
Only a failure outside the file (the blob store unreachable, the database) is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.archive.sanitize import clean_text, clip
from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, AttachmentText, Tenant
from atalaia.errors import NotFound, TamperedData
from atalaia.extract import DEFAULT_LIMITS, Extraction, ExtractionStatus, Limits, extract_isolated
from atalaia.jobs.queue import ClaimedJob, JobFailed
from atalaia.runtime import Runtime
from atalaia.search import reindex_messages
from atalaia.services.compliance.scanning import scan_attachment_texts

log = logging.getLogger(__name__)

RETRIED_STATUSES: Final = frozenset({ExtractionStatus.UNAVAILABLE.value})

Extractor = Callable[[bytes, Limits], Extraction]


def extract_attachment(
    runtime: Runtime, job: ClaimedJob, *, limits: Limits = DEFAULT_LIMITS, extractor: Extractor = extract_isolated
) -> None:
    """The job handler; `limits` and `extractor` are for tests."""
    attachment_id = int(job.payload["attachment_id"])
    with runtime.sessions() as session:
        row = session.execute(
            select(Attachment, Tenant)
            .join(Tenant, Tenant.id == Attachment.tenant_id)
            .where(Attachment.id == attachment_id, Attachment.tenant_id == job.tenant_id)
        ).one_or_none()
        previous = session.execute(
            select(AttachmentText.status).where(
                AttachmentText.tenant_id == job.tenant_id, AttachmentText.attachment_id == attachment_id
            )
        ).scalar_one_or_none()
    if row is None:
        raise JobFailed(f"attachment {attachment_id} no longer exists", permanent=True)
    attachment, tenant = row
    if previous is not None and previous not in RETRIED_STATUSES:
        return
    if attachment.sha256 is None:
        raise JobFailed(f"attachment {attachment_id} has no stored bytes", permanent=True)
    result = _extract(runtime, attachment, tenant, limits=limits, extractor=extractor)
    if result.status is not ExtractionStatus.DONE:
        log.info("attachment %s: %s (%s)", attachment_id, result.status.value, result.reason)
    with transaction(runtime.sessions) as session:
        _store(session, tenant_id=tenant.id, attachment_id=attachment_id, result=result)
        if result.text.strip():
            scan_attachment_texts(session, tenant_id=tenant.id, attachment_ids=[attachment_id])
            reindex_messages(session, [attachment.message_id])


def _extract(
    runtime: Runtime, attachment: Attachment, tenant: Tenant, *, limits: Limits, extractor: Extractor
) -> Extraction:
    if attachment.size is not None and attachment.size > limits.max_input_bytes:
        return Extraction(
            ExtractionStatus.TOO_LARGE, reason=f"{attachment.size} bytes (at most {limits.max_input_bytes})"
        )
    try:
        data = runtime.blobs.get(tenant_id=tenant.id, data_key=runtime.data_key(tenant), sha256=attachment.sha256 or "")
    except (NotFound, TamperedData) as exc:  # retrying changes nothing; `atalaia verify` reports it too
        return Extraction(ExtractionStatus.FAILED, reason=f"stored bytes unreadable: {exc}"[:300])
    except OSError as exc:
        raise JobFailed(f"blob store: {exc}") from exc
    return extractor(data, limits)


def _store(session: Session, *, tenant_id: int, attachment_id: int, result: Extraction) -> None:
    text = clean_text(result.text) or ""
    values = {
        "status": result.status.value,
        "kind": clip(result.kind, 20),
        "reason": clip(result.reason, 300),
        "text": text if result.status is ExtractionStatus.DONE else None,
        "chars": len(text),
        "truncated": result.truncated,
        "extracted_at": datetime.now(UTC),
    }
    current = session.execute(
        select(AttachmentText).where(
            AttachmentText.tenant_id == tenant_id, AttachmentText.attachment_id == attachment_id
        )
    ).scalar_one_or_none()
    if current is None:
        session.add(AttachmentText(tenant_id=tenant_id, attachment_id=attachment_id, **values))
    else:
        for name, value in values.items():
            setattr(current, name, value)
    session.flush()
