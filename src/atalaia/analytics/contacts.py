"""New contacts: people whose first one-to-one message with the scope falls in the period.

A contact is the other party of a one-to-one chat. Their first message is the earliest one, in
either direction, of any one-to-one chat with them on the scope's lines — so a customer who
first wrote to another team is new to this one. For an employee, the first message must also
be on their time on the line. Group members who never chat one-to-one are not counted.
`contacts.created_at` is not used: it is when the archive first heard of them, and a history
backfill or a chat export learns of old customers today.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaia.analytics.buckets import SYSTEM
from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.db.models import Conversation, Message
from atalaia.domain.enums import ConversationKind

CHUNK: Final = 500


def new_contacts(session: Session, scope: Scope, period: Period) -> int:
    first = func.min(Message.sent_at)
    query = (
        select(Conversation.contact_id)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(
            Conversation.tenant_id == scope.tenant_id,
            Conversation.kind == ConversationKind.DIRECT.value,
            Conversation.contact_id.is_not(None),
            scope.line_clause(Conversation.line_id),
            Message.kind != SYSTEM,
        )
        .group_by(Conversation.contact_id)
        .having(first >= period.start, first < period.end)
    )
    if scope.spans is None:
        return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    candidates = list(session.execute(query).scalars())
    return sum(_first_is_held(session, scope, candidates[i : i + CHUNK]) for i in range(0, len(candidates), CHUNK))


def _first_is_held(session: Session, scope: Scope, contact_ids: list[int | None]) -> int:
    """How many of these contacts' first messages fall on the employee's time on the line."""
    firsts: dict[int, tuple[datetime, int]] = {}
    rows = session.execute(
        select(Conversation.contact_id, Conversation.line_id, func.min(Message.sent_at))
        .join(Message, Message.conversation_id == Conversation.id)
        .where(
            Conversation.tenant_id == scope.tenant_id,
            Conversation.kind == ConversationKind.DIRECT.value,
            Conversation.contact_id.in_(contact_ids),
            scope.line_clause(Conversation.line_id),
            Message.kind != SYSTEM,
        )
        .group_by(Conversation.contact_id, Conversation.line_id)
    )
    for contact_id, line_id, moment in rows:
        if contact_id is None:
            continue
        known = firsts.get(contact_id)
        if known is None or moment < known[0]:
            firsts[contact_id] = (moment, line_id)
    return sum(1 for moment, line_id in firsts.values() if scope.holds(line_id, moment))
