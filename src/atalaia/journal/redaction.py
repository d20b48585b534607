"""Redacting journal entries: the body replaced by a tombstone that still proves it existed.

An erased subject's words must not stay in the raw webhook journal, from which `journal replay`
would archive them again; nor may retention keep bodies longer than the archive keeps their
messages. A redacted entry keeps its id, receipt time, source, line, status and verdict, plus the
SHA-256 and size of the body it had; the body becomes a small JSON tombstone saying so, and
`redacted_at` makes replay skip it with the reason. Held data is decided by the caller.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from atalaia.db.models import JournalEntry
from atalaia.journal.store import JOURNAL

MAX_REASON_CHARS: Final = 300  # the column's size


def tombstone(*, sha256: str, size: int, reason: str, at: datetime) -> bytes:
    """The body a redacted entry keeps: valid JSON that no connector reads as an event."""
    return json.dumps(
        {"atalaia_redacted": True, "reason": reason, "original_sha256": sha256, "original_size": size,
         "redacted_at": at.isoformat()},
        ensure_ascii=False, sort_keys=True,
    ).encode()  # fmt: skip


def redact_entries(session: Session, entry_ids: Sequence[int], *, reason: str, now: datetime) -> int:
    """Replace these entries' bodies by tombstones (those already redacted are left alone); how many."""
    reason = reason[:MAX_REASON_CHARS]
    rows = session.execute(
        select(JournalEntry.id, JournalEntry.body).where(
            JournalEntry.id.in_(sorted(set(entry_ids))), JournalEntry.redacted_at.is_(None)
        )
    ).all()
    if not rows:
        return 0
    values = []
    for entry_id, body in rows:
        original = bytes(body or b"")
        digest = hashlib.sha256(original).hexdigest()
        values.append(
            {
                "entry": entry_id,
                "new_body": tombstone(sha256=digest, size=len(original), reason=reason, at=now),
                "at": now,
                "why": reason,
                "digest": digest,
                "size": len(original),
            }
        )
    statement = (
        JOURNAL.update()
        .where(JOURNAL.c.id == bindparam("entry"), JOURNAL.c.redacted_at.is_(None))
        .values(
            body=bindparam("new_body"),
            redacted_at=bindparam("at"),
            redacted_reason=bindparam("why"),
            original_sha256=bindparam("digest"),
            original_size=bindparam("size"),
        )
    )
    session.execute(statement, values)
    return len(values)
