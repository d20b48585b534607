"""Chats with activity in the period, one-to-one and groups apart.

A chat counts once when at least one of its messages (system lines aside) is in the scope and
the period; distinct counts do not add up across days, so a rollup keeps one row per chat and
local day and counts distinct chats over those rows.
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from atalaia.analytics.buckets import counted_messages
from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.db.models import Conversation, Message
from atalaia.domain.enums import ConversationKind


def active_conversations(session: Session, scope: Scope, period: Period) -> dict[str, int]:
    """`{"direct": N, "group": N}`."""
    rows = session.execute(
        select(Conversation.kind, func.count(distinct(Message.conversation_id)))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*counted_messages(scope, period))
        .group_by(Conversation.kind)
    ).all()
    found = {kind: int(n) for kind, n in rows}
    return {kind.value: found.get(kind.value, 0) for kind in ConversationKind}
