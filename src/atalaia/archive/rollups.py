"""Upkeep of `message_rollups`: counts per (line, UTC hour, direction, message kind, chat kind).

Each change is ONE statement whatever the batch size: an INSERT ... SELECT ... GROUP BY over the
messages just written (or about to be deleted), upserted with `count = count + excluded.count`.
Reading the stored rows (not the events) keeps the rollup equal, by construction, to the GROUP BY
that `analytics/buckets.py` would run over the archive: the stored chat kind wins, system lines
are left out, and a duplicate that was not inserted adds nothing. The caller owns the transaction,
so a batch and its counts commit or roll back together. See docs/decisions/0023-analytics-rollups.md.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Table, and_, delete, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from atalaia.db.models import Conversation, Message, MessageRollup
from atalaia.domain.enums import MessageKind

ROLLUPS: Table = MessageRollup.__table__  # type: ignore[assignment]
KEY: Final = ("line_id", "hour", "direction", "message_kind", "conversation_kind")
SYSTEM: Final = MessageKind.SYSTEM.value


def add_messages(session: Session, message_ids: Collection[int]) -> None:
    """Count messages just inserted (call after the INSERT, in the same transaction)."""
    if message_ids:
        _apply(session, Message.id.in_(sorted(message_ids)), sign=1)


def remove_messages(session: Session, message_ids: Collection[int]) -> None:
    """Uncount messages about to be deleted (call before the DELETE, in the same transaction)."""
    if not message_ids:
        return
    lines = set(session.execute(select(Message.line_id).where(Message.id.in_(sorted(message_ids)))).scalars())
    _apply(session, Message.id.in_(sorted(message_ids)), sign=-1)
    session.execute(delete(MessageRollup).where(MessageRollup.line_id.in_(sorted(lines)), MessageRollup.count <= 0))


def rebuild_line(session: Session, line_id: int, since: datetime | None = None) -> int:
    """Recompute one line's rollups from its messages (from the hour of `since` on); returns the messages counted."""
    hour_start = None if since is None else floor_hour(since)
    stale = [MessageRollup.line_id == line_id]
    where = [Message.line_id == line_id]
    if hour_start is not None:
        stale.append(MessageRollup.hour >= hour_start)
        where.append(Message.sent_at >= hour_start)
    session.execute(delete(MessageRollup).where(*stale))
    _apply(session, and_(*where), sign=1)
    total = session.execute(select(func.coalesce(func.sum(MessageRollup.count), 0)).where(*stale)).scalar_one()
    return int(total)


def hour_expression(session: Session, column: Any) -> Any:
    """The UTC hour of a timestamp as the rollup stores it (timestamptz on PostgreSQL, SQLAlchemy's text on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        utc: Any = literal_column("'UTC'")
        return func.timezone(utc, func.date_trunc(literal_column("'hour'"), func.timezone(utc, column)))
    return func.strftime(literal_column("'%Y-%m-%d %H:00:00.000000'"), column)


def floor_hour(moment: datetime) -> datetime:
    """The start of the UTC hour holding `moment`."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _apply(session: Session, which: Any, *, sign: int) -> None:
    hour = hour_expression(session, Message.sent_at)
    count = func.count() if sign > 0 else -func.count()
    source = (
        select(Message.line_id, hour, Message.direction, Message.kind, Conversation.kind, Message.tenant_id, count)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(which, Message.kind != SYSTEM)
        .group_by(Message.line_id, hour, Message.direction, Message.kind, Conversation.kind, Message.tenant_id)
    )
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = module.insert(ROLLUPS).from_select([*KEY, "tenant_id", "count"], source)
    session.execute(
        insert.on_conflict_do_update(index_elements=list(KEY), set_={"count": ROLLUPS.c.count + insert.excluded.count})
    )
