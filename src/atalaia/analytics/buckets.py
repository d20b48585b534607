"""Message counts per line and UTC hour: the facts behind volumes, the heat map and after-hours.

Rows of (line, hour, direction, message kind, chat kind, count). Every Brazilian zone, past and
present, is a whole number of hours from UTC, so each UTC hour is exactly one local hour of its
line; the folds in `volumes.py` need nothing finer. `hour_buckets` reads them from the rollup
table kept up to date on ingest (archive/rollups.py) for every whole hour of the period and the
scope, and scans the archive only for the few hours cut by the period's or an employee's span's
edges, so its figures equal `scan_hour_buckets` (the full GROUP BY) exactly. Decision 0023.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.orm import Session

from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.archive.rollups import floor_hour
from atalaia.db.models import Conversation, Message, MessageRollup
from atalaia.domain.enums import MessageKind

SYSTEM: Final = MessageKind.SYSTEM.value  # "X added Y" is nobody's message
HOUR: Final = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class HourBucket:
    line_id: int
    hour: datetime  # UTC, the start of the hour
    direction: str
    message_kind: str
    conversation_kind: str
    count: int


def counted_messages(scope: Scope, period: Period) -> list[Any]:
    """The WHERE clauses shared by every message count: tenant, scope, period, no system lines."""
    return [
        Message.tenant_id == scope.tenant_id,
        scope.clause(Message.line_id, Message.sent_at),
        Message.sent_at >= period.start,
        Message.sent_at < period.end,
        Message.kind != SYSTEM,
    ]


def hour_buckets(session: Session, scope: Scope, period: Period) -> Iterator[HourBucket]:
    """The period's counts: whole hours from the rollups, hours cut by an edge from the archive."""
    edges = edge_hours(scope, period)
    query = select(
        MessageRollup.line_id,
        MessageRollup.hour,
        MessageRollup.direction,
        MessageRollup.message_kind,
        MessageRollup.conversation_kind,
        MessageRollup.count,
    ).where(
        MessageRollup.tenant_id == scope.tenant_id,
        MessageRollup.hour >= period.start,
        MessageRollup.hour < period.end,
        scope.clause(MessageRollup.line_id, MessageRollup.hour),
        MessageRollup.count > 0,
    )
    if edges:
        query = query.where(MessageRollup.hour.not_in(edges))
    for line_id, hour, direction, message_kind, conversation_kind, count in session.execute(query):
        yield HourBucket(line_id, _as_utc(hour), direction, message_kind, conversation_kind, int(count))
    if edges:
        within = or_(*(and_range(Message.sent_at, hour, hour + HOUR) for hour in edges))
        yield from scan_hour_buckets(session, scope, period, within)


def edge_hours(scope: Scope, period: Period) -> list[datetime]:
    """UTC hours of the period holding a bound that is not on the hour: only part of them is in scope."""
    cuts = [period.start, period.end]
    for span in scope.spans or ():
        cuts.extend(moment for moment in (span.start, span.end) if moment is not None)
    hours = {floor_hour(cut) for cut in cuts if floor_hour(cut) != cut}
    return sorted(h for h in hours if h < period.end and h + HOUR > period.start)


def scan_hour_buckets(session: Session, scope: Scope, period: Period, *where: Any) -> Iterator[HourBucket]:
    """The same rows by one GROUP BY over the archive: for edge hours, `rebuild` checks and the benchmark."""
    hour = _hour_expression(session).label("hour")
    query = (
        select(Message.line_id, hour, Message.direction, Message.kind, Conversation.kind, func.count())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*counted_messages(scope, period), *where)
        .group_by(Message.line_id, hour, Message.direction, Message.kind, Conversation.kind)
    )
    for line_id, start, direction, message_kind, conversation_kind, count in session.execute(query):
        yield HourBucket(line_id, _as_utc(start), direction, message_kind, conversation_kind, int(count))


def and_range(column: Any, start: datetime, end: datetime) -> Any:
    return (column >= start) & (column < end)


def _hour_expression(session: Session) -> Any:
    """The UTC hour of `sent_at`; formats are inlined so GROUP BY repeats the SELECT expression exactly."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(literal_column("'hour'"), func.timezone(literal_column("'UTC'"), Message.sent_at))
    return func.strftime(literal_column("'%Y-%m-%d %H:00:00'"), Message.sent_at)  # SQLite keeps naive UTC text


def _as_utc(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise TypeError(f"unexpected hour bucket {value!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
