"""Walk the one-to-one chats of a period in order and fold their customer turns into a tally.

Never holds more than one chat's state and a batch of rows: messages stream ordered by chat and
time (`ix_messages_conversation_sent`). Two grouped queries first give each active chat's past
(its last message before the period and the start of a turn still waiting then); after the walk,
one more finds the replies, after the period, to turns still waiting at its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from atalaia.analytics.buckets import SYSTEM
from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.analytics.tally import ResponseTally
from atalaia.analytics.turns import ChatMessage, ChatWalk, Prior, Turn
from atalaia.db.models import Conversation, Message
from atalaia.domain.enums import ConversationKind, Direction

BATCH: Final = 2000
CHUNK: Final = 500
INBOUND: Final = Direction.INBOUND.value
OUTBOUND: Final = Direction.OUTBOUND.value


def walk_chats(
    session: Session,
    scope: Scope,
    period: Period,
    tally: ResponseTally,
    *,
    gap: timedelta,
    campaigns: Mapping[int, str],
    as_of: datetime,
) -> None:
    """Feed `tally` with the period's openings, counted turns and chats left waiting at `as_of`."""
    priors = _priors(session, scope, period, gap)
    pending: dict[int, Turn] = {}
    for conversation_id, messages in _chats(session, scope, period):
        walk = ChatWalk(
            conversation_id,
            gap=gap,
            in_scope=scope.holds,
            campaigns=campaigns,
            prior=priors.pop(conversation_id, Prior()),
        )
        for message in messages:
            walk.feed(message)
        for turn in walk.closed:
            tally.add_turn(turn)
        tally.add_openings(walk.openings)
        waiting = walk.pending()
        if waiting is not None:
            pending[conversation_id] = waiting
        left = walk.waiting_since(as_of)
        if left is not None:
            line_id, since, owed = left
            tally.add_waiting(line_id, since, owed=owed, as_of=as_of)
    for conversation_id, replied_at in _replies_after(session, list(pending), period.end):
        turn = pending.pop(conversation_id)
        tally.add_turn(
            Turn(turn.conversation_id, turn.line_id, turn.started_at, turn.opening, turn.campaign, replied_at)
        )


def _direct_messages(scope: Scope) -> list[Any]:
    """One-to-one chats on the scope's lines (any holder: a chat is walked whole), no system lines."""
    return [
        Message.tenant_id == scope.tenant_id,
        scope.line_clause(Message.line_id),
        Conversation.kind == ConversationKind.DIRECT.value,
        Message.kind != SYSTEM,
    ]


def _active(scope: Scope, period: Period) -> Select[Any]:
    return (
        select(Message.conversation_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*_direct_messages(scope), Message.sent_at >= period.start, Message.sent_at < period.end)
        .distinct()
    )


def _chats(session: Session, scope: Scope, period: Period) -> Iterator[tuple[int, Iterator[ChatMessage]]]:
    """(chat, its messages in the period in order), one chat at a time, rows read in batches."""
    query = (
        select(Message.conversation_id, Message.id, Message.line_id, Message.direction, Message.sent_at)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*_direct_messages(scope), Message.sent_at >= period.start, Message.sent_at < period.end)
        .order_by(Message.conversation_id, Message.sent_at, Message.id)
        .execution_options(yield_per=BATCH)
    )
    rows = iter(session.execute(query))
    row = next(rows, None)
    while row is not None:
        current = row.conversation_id
        batch: list[ChatMessage] = []
        while row is not None and row.conversation_id == current:
            batch.append(ChatMessage(row.id, row.line_id, row.direction, row.sent_at))
            row = next(rows, None)
        yield current, iter(batch)


def _priors(session: Session, scope: Scope, period: Period, gap: timedelta) -> dict[int, Prior]:
    """Each active chat's last message before the period, and the turn still waiting then, if any."""
    active = _active(scope, period)
    before = [Message.conversation_id.in_(active), Message.sent_at < period.start, Message.kind != SYSTEM]
    last = session.execute(
        select(Message.conversation_id, func.max(Message.sent_at)).where(*before).group_by(Message.conversation_id)
    ).all()
    last_reply = (
        select(Message.conversation_id, func.max(Message.sent_at).label("at"))
        .where(*before, Message.direction == OUTBOUND)
        .group_by(Message.conversation_id)
        .subquery()
    )
    # A waiting turn is every inbound message after the line's last reply; that reply (or nothing)
    # is what came before it, so it tells whether the turn opened an exchange.
    waiting = {
        chat: (since, reply is None or since - reply >= gap)
        for chat, since, reply in session.execute(
            select(Message.conversation_id, func.min(Message.sent_at), func.max(last_reply.c.at))
            .outerjoin(last_reply, last_reply.c.conversation_id == Message.conversation_id)
            .where(
                *before, Message.direction == INBOUND, or_(last_reply.c.at.is_(None), Message.sent_at > last_reply.c.at)
            )
            .group_by(Message.conversation_id)
        ).all()
    }
    priors = {}
    for chat, at in last:
        since, opened = waiting.get(chat, (None, False))
        priors[chat] = Prior(last_at=at, waiting_since=since, waiting_opened=opened)
    return priors


def _replies_after(session: Session, conversation_ids: list[int], moment: datetime) -> Iterable[tuple[int, datetime]]:
    """The first reply at or after `moment` in each of these chats that has one."""
    for i in range(0, len(conversation_ids), CHUNK):
        chunk = conversation_ids[i : i + CHUNK]
        yield from session.execute(
            select(Message.conversation_id, func.min(Message.sent_at))
            .where(
                Message.conversation_id.in_(chunk),
                Message.direction == OUTBOUND,
                Message.sent_at >= moment,
                Message.kind != SYSTEM,
            )
            .group_by(Message.conversation_id)
        ).all()
