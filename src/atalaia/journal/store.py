"""Appending and marking journal entries.

Only headers needed to re-check or route a request are kept: a webhook's Authorization header
carries a line's token and must never be stored or logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import update
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
    entry = JournalEntry(
        tenant_id=tenant_id,
        source=source,
        line_id=line_id,
        received_at=datetime.now(UTC),
        headers=kept_headers(headers),
        body=body,
        status=status.value,
        reason=reason[:MAX_REASON_CHARS] if reason else None,
    )
    session.add(entry)
    session.flush()
    return entry.id


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
