"""`atalaia journal replay`: run stored webhook bodies through the connectors again.

Rejected entries (failed authentication) are never replayed, and neither are redacted ones: their
body is a tombstone because an LGPD erasure or a retention rule took it away
(journal/redaction.py), and replaying would either archive nothing or, worse, bring back what
was erased. They are counted apart so the operator sees why they were skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from atalaia.db.models import JournalEntry
from atalaia.domain.enums import JournalStatus
from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import process_gateway_entry
from atalaia.services.ingest import IngestOutcome, process_cloud_entry

Progress = Callable[[int], None]  # called with the number of entries to replay, then once per entry


@dataclass(slots=True)
class ReplayReport:
    entries: int = 0  # entries replayed
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    redacted: int = 0  # skipped: body redacted (erasure or retention)
    redacted_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "entries": self.entries,
            "new": self.new,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "redacted": self.redacted,
        }


def replay_journal(
    runtime: Runtime, *, since: datetime | None = None, start: Progress | None = None, step: Progress | None = None
) -> ReplayReport:
    """Re-archive every replayable entry (received from `since`), oldest first; idempotent."""
    report = ReplayReport()
    query = select(JournalEntry.id).where(
        JournalEntry.status != JournalStatus.REJECTED.value, JournalEntry.redacted_at.is_(None)
    )
    skipped = select(JournalEntry.redacted_reason, func.count()).where(
        JournalEntry.status != JournalStatus.REJECTED.value, JournalEntry.redacted_at.is_not(None)
    )
    if since is not None:
        query = query.where(JournalEntry.received_at >= since)
        skipped = skipped.where(JournalEntry.received_at >= since)
    with runtime.sessions() as session:
        ids = list(session.execute(query.order_by(JournalEntry.id)).scalars())
        for reason, count in session.execute(skipped.group_by(JournalEntry.redacted_reason)).all():
            report.redacted_reasons[reason or "?"] = int(count)
    report.redacted = sum(report.redacted_reasons.values())
    if start is not None:
        start(len(ids))
    for entry_id in ids:
        outcome = _replay_one(runtime, entry_id)
        if outcome is not None:
            report.new += outcome.result.new
            report.duplicates += outcome.result.duplicates
            report.failed += outcome.status_code != 200
        report.entries += 1
        if step is not None:
            step(1)
    return report


def _replay_one(runtime: Runtime, entry_id: int) -> IngestOutcome | None:
    with runtime.sessions() as session:
        entry = session.get(JournalEntry, entry_id)
        if entry is None or entry.redacted_at is not None:  # redacted meanwhile: never replayed
            return None
        source, body, line_id = entry.source, entry.body, entry.line_id
    if source == "cloud":
        return process_cloud_entry(runtime, entry_id=entry_id, body=body)
    if source in ("evolution", "waha"):
        return process_gateway_entry(runtime, entry_id=entry_id, body=body, source=source, line_id=line_id)
    return None
