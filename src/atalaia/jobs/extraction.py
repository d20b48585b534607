"""`attachment.extract` jobs: queued in the transaction that stores an attachment's bytes.

Only the queueing lives here, so the archive writer and the media job can call it without
importing what the job does (`services/attachment_text.py`: extract, store, scan, reindex).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sqlalchemy.orm import Session

from atalaia.jobs.queue import enqueue

KIND: Final = "attachment.extract"


def enqueue_extraction(session: Session, *, tenant_id: int, attachment_ids: Sequence[int]) -> None:
    """Queue one extraction per attachment whose bytes this transaction stores."""
    for attachment_id in attachment_ids:
        enqueue(session, tenant_id=tenant_id, kind=KIND, payload={"attachment_id": int(attachment_id)})
