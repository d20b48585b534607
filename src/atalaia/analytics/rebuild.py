"""Recompute the rollups of a tenant from its messages: after a bulk load outside `archive_events`, or to repair.

Ordinary ingestion (webhooks, gateways, `atalaia import`, the demo) keeps the rollups itself, in
the same transaction as the messages. This walks one line per transaction. On PostgreSQL each
line's transaction first takes a SHARE lock on the rollup table: archive writers wait for it, so
a batch written meanwhile is counted exactly once (by the rebuild if committed before, by its own
upsert if after). Decision 0023.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from atalaia.archive.rollups import floor_hour, rebuild_line
from atalaia.db.engine import transaction
from atalaia.db.models import Line, Tenant
from atalaia.errors import InvalidInput
from atalaia.runtime import Runtime

DATE_LENGTH = 10


@dataclass(slots=True)
class RebuildSummary:
    tenant: str
    since: datetime | None
    lines: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "since": self.since.isoformat() if self.since else None,
            "lines": self.lines,
            "messages": self.messages,
        }


def parse_since(value: str | None, timezone: str) -> datetime | None:
    """A date is its midnight in the tenant's zone; a date-time without offset is read there too."""
    if value is None:
        return None
    text_value, zone = value.strip(), ZoneInfo(timezone)
    try:
        if len(text_value) == DATE_LENGTH:
            return datetime.combine(date.fromisoformat(text_value), time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text_value)
    except ValueError:
        raise InvalidInput(f"data inválida em --since: {value!r}. Use AAAA-MM-DD ou data e hora ISO.") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def line_ids(runtime: Runtime, tenant: Tenant) -> list[int]:
    with runtime.sessions() as session:
        return list(session.execute(select(Line.id).where(Line.tenant_id == tenant.id).order_by(Line.id)).scalars())


def rebuild_rollups(
    runtime: Runtime, *, tenant: Tenant, since: datetime | None = None, progress: Callable[[int], None] | None = None
) -> RebuildSummary:
    """Every line of the tenant, each in its own transaction; `since` rounds down to its UTC hour."""
    summary = RebuildSummary(tenant=tenant.slug, since=floor_hour(since) if since else None)
    for line_id in line_ids(runtime, tenant):
        with transaction(runtime.sessions) as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("LOCK TABLE message_rollups IN SHARE MODE"))
            summary.messages += rebuild_line(session, line_id, summary.since)
        summary.lines += 1
        if progress is not None:
            progress(1)
    return summary
