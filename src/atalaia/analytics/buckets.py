"""Message counts per line and UTC hour: the facts behind volumes, the heat map and after-hours.

One GROUP BY over the period gives rows of (line, hour, direction, message kind, chat kind,
count). Every Brazilian zone, past and present, is a whole number of hours from UTC, so each
UTC hour is exactly one local hour of its line; the folds in `volumes.py` need nothing finer.
A rollup table with these columns, kept up to date on ingest, can later yield the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.db.models import Conversation, Message
from atalaia.domain.enums import MessageKind

SYSTEM: Final = MessageKind.SYSTEM.value  # "X added Y" is nobody's message


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
    hour = _hour_expression(session).label("hour")
    query = (
        select(Message.line_id, hour, Message.direction, Message.kind, Conversation.kind, func.count())
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*counted_messages(scope, period))
        .group_by(Message.line_id, hour, Message.direction, Message.kind, Conversation.kind)
    )
    for line_id, start, direction, message_kind, conversation_kind, count in session.execute(query):
        yield HourBucket(line_id, _as_utc(start), direction, message_kind, conversation_kind, int(count))


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
