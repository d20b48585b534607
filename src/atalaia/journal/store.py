"""Appending and marking journal entries.

Only headers needed to re-check or route a request are kept: a webhook's Authorization header
carries a line's token and must never be stored or logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from atalaia.db.models import JournalEntry
from atalaia.domain.enums import JournalStatus

KEPT_HEADERS: Final = frozenset(
    {
        "content-type",
        "content-length",
        "user-agent",
        "x-hub-signature-256",
        "x-webhook-hmac",
        "x-webhook-hmac-algorithm",
        "x-webhook-request-id",
    }
)
MAX_REASON_CHARS: Final = 2000
JOURNAL: Table = JournalEntry.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class EntryMark:
    """The verdict on one processed entry, for `mark_entries`."""

    entry_id: int
    status: JournalStatus
    reason: str | None = None
    tenant_id: int | None = None
    line_id: int | None = None


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v[:500] for k, v in headers.items() if k.lower() in KEPT_HEADERS}


def append_entry(
    session: Session,
    *,
    source: str,
    body: bytes,
    headers: Mapping[str, str],
    status: JournalStatus = JournalStatus.ACCEPTED,
    reason: str | None = None,
    tenant_id: int | None = None,
    line_id: int | None = None,
) -> int:
    row = _row(source, body, headers, status=status, reason=reason, tenant_id=tenant_id, line_id=line_id)
    return _insert(session, [row])[0]


def append_entries(
    session: Session,
    *,
    source: str,
    requests: Sequence[tuple[bytes, Mapping[str, str]]],
    verdicts: Sequence[tuple[JournalStatus, str | None]] | None = None,
) -> list[int]:
    """Journal many bodies in one statement (a batch of webhooks); their ids in the same order.
    `verdicts` gives each body's status and reason when they are known before it is stored."""
    now = datetime.now(UTC)
    marks = verdicts or [(JournalStatus.ACCEPTED, None)] * len(requests)
    rows = [_row(source, body, headers, status=status, reason=reason, received_at=now)
            for (body, headers), (status, reason) in zip(requests, marks, strict=True)]  # fmt: skip
    for row, (status, _) in zip(rows, marks, strict=True):
        row["processed_at"] = now if status is JournalStatus.REJECTED else None  # a verdict already
    return _insert(session, rows)


def list_pending(session: Session, *, source: str, limit: int) -> list[tuple[int, bytes]]:
    """The oldest entries of `source` still waiting to be archived, as (id, body)."""
    rows = session.execute(
        select(JournalEntry.id, JournalEntry.body)
        .where(
            JournalEntry.source == source,
            JournalEntry.status == JournalStatus.PENDING.value,
            JournalEntry.redacted_at.is_(None),  # an erased subject's body is a tombstone: nothing to archive
        )
        .order_by(JournalEntry.id)
        .limit(limit)
    ).all()
    return [(entry_id, bytes(body)) for entry_id, body in rows]


def _row(
    source: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    status: JournalStatus = JournalStatus.ACCEPTED,
    reason: str | None = None,
    tenant_id: int | None = None,
    line_id: int | None = None,
    received_at: datetime | None = None,
) -> dict[str, object]:
    return {
        "tenant_id": tenant_id,
        "source": source,
        "line_id": line_id,
        "received_at": received_at or datetime.now(UTC),
        "headers": kept_headers(headers),
        "body": body,
        "status": status.value,
        "reason": reason[:MAX_REASON_CHARS] if reason else None,
    }


def _insert(session: Session, rows: list[dict[str, object]]) -> list[int]:
    if not rows:
        return []
    statement = JOURNAL.insert().returning(JOURNAL.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def mark_entry(
    session: Session,
    entry_id: int,
    *,
    status: JournalStatus,
    reason: str | None = None,
    tenant_id: int | None = None,
    line_id: int | None = None,
    processed: bool = False,
) -> None:
    values: dict[str, object] = {"status": status.value, "reason": reason[:MAX_REASON_CHARS] if reason else None}
    if tenant_id is not None:
        values["tenant_id"] = tenant_id
    if line_id is not None:
        values["line_id"] = line_id
    if processed:
        values["processed_at"] = datetime.now(UTC)
    session.execute(update(JournalEntry).where(JournalEntry.id == entry_id).values(**values))


def mark_entries(session: Session, marks: Sequence[EntryMark]) -> None:
    """Record many verdicts in one executemany; each entry is marked processed now."""
    if not marks:
        return
    now = datetime.now(UTC)
    statement = (
        update(JOURNAL)
        .where(JOURNAL.c.id == bindparam("entry"))
        .values(
            status=bindparam("new_status"),
            reason=bindparam("new_reason"),
            tenant_id=func.coalesce(bindparam("tenant"), JOURNAL.c.tenant_id),
            line_id=func.coalesce(bindparam("line"), JOURNAL.c.line_id),
            processed_at=bindparam("at"),
        )
    )
    session.execute(
        statement,
        [
            {
                "entry": mark.entry_id,
                "new_status": mark.status.value,
                "new_reason": mark.reason[:MAX_REASON_CHARS] if mark.reason else None,
                "tenant": mark.tenant_id,
                "line": mark.line_id,
                "at": now,
            }
            for mark in marks
        ],
    )
