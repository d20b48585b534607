"""Which conversations and messages belong in a subject's export, and which never do.

One-to-one chats with the subject are theirs whole: what they sent and what they received. In
every other conversation (groups) only their own messages are theirs; the others' messages, and
reactions by other members, belong to other people and stay out. Groups they are a member of
are listed even when they wrote nothing there, since membership is data held about them too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from atalaia.db.models import Conversation, Message, Participant
from atalaia.domain.enums import ConversationKind

ID_BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class SubjectScope:
    contact_ids: tuple[int, ...]
    whole: tuple[int, ...]  # one-to-one conversations with the subject: every message
    own: tuple[int, ...]  # other conversations they wrote in or belong to: their own messages only

    def kind_of(self, conversation_id: int) -> str:
        return "all" if conversation_id in self.whole else "own_messages"

    def messages(self) -> ColumnElement[bool]:
        """The subject's messages: everything in their one-to-one chats, and what they wrote anywhere."""
        return or_(Message.conversation_id.in_(self.whole), Message.author_contact_id.in_(self.contact_ids))


def resolve_scope(session: Session, *, tenant_id: int, contact_ids: Sequence[int]) -> SubjectScope:
    whole = session.scalars(
        select(Conversation.id)
        .where(
            Conversation.tenant_id == tenant_id,
            Conversation.contact_id.in_(contact_ids),
            Conversation.kind != ConversationKind.GROUP.value,
        )
        .order_by(Conversation.id)
    ).all()
    wrote = session.scalars(
        select(Message.conversation_id)
        .where(Message.tenant_id == tenant_id, Message.author_contact_id.in_(contact_ids))
        .distinct()
    ).all()
    member = session.scalars(
        select(Participant.conversation_id).where(
            Participant.tenant_id == tenant_id, Participant.contact_id.in_(contact_ids)
        )
    ).all()
    own = sorted((set(wrote) | set(member)) - set(whole))
    return SubjectScope(contact_ids=tuple(contact_ids), whole=tuple(whole), own=tuple(own))


def count_messages(session: Session, *, tenant_id: int, scope: SubjectScope) -> int:
    query = select(func.count()).select_from(Message).where(Message.tenant_id == tenant_id, scope.messages())
    return int(session.execute(query).scalar_one())


def own_message_ids(
    sessions: sessionmaker[Session], *, conversation_id: int, contact_ids: Sequence[int]
) -> Iterator[list[int]]:
    """The subject's messages in one conversation, in (sent_at, id) order, a batch at a time (keyset)."""
    after: tuple[datetime, int] | None = None
    while True:
        with sessions() as session:
            query = select(Message.sent_at, Message.id).where(
                Message.conversation_id == conversation_id, Message.author_contact_id.in_(contact_ids)
            )
            if after is not None:
                query = query.where(tuple_(Message.sent_at, Message.id) > tuple_(*after))
            rows = session.execute(query.order_by(Message.sent_at, Message.id).limit(ID_BATCH)).all()
        if not rows:
            return
        after = (rows[-1].sent_at, rows[-1].id)
        yield [row.id for row in rows]
