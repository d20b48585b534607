"""What happens to messages after they are sent: statuses, deletions and reactions.

Each follow-up is scheduled strictly after its message, so a consumer reading the stream in
order always meets the message before anything that refers to it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, NamedTuple

from atalaia.demo.ids import IdMint
from atalaia.demo.plan import DemoContact, DemoGroup, DemoLine
from atalaia.domain.enums import DeliveryStatus, MessageKind, Provider
from atalaia.domain.events import ArchiveEvent, ConversationRef, MessageEvent, ReactionEvent, RevokeEvent, StatusEvent

REACTIONS: Final = ("👍", "👍", "👍", "❤️", "❤️", "😂", "🙏", "😮")
REACTION_SHARE: Final = 0.03
UNREACT_SHARE: Final = 0.1  # of reactions, later removed
FAILED_SHARE: Final = 0.003  # of outbound messages
READ_SHARE: Final = 0.8  # of delivered messages never answered, read anyway
INBOUND_DELETE_SHARE: Final = 0.004
OUTBOUND_DELETE_SHARE: Final = 0.002
_UNDELIVERABLE: Final = ({"code": 131026, "title": "Message undeliverable"},)


class Sent(NamedTuple):
    at: int  # unix seconds
    outbound: bool
    event: MessageEvent
    author: DemoContact | None  # None: the line
    deleted: bool  # its author deletes it for everyone moments later
    edited: bool  # an edit follows; such a message is not also deleted at random


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class Followups:
    """Schedules the events that refer to a conversation's messages, through `push`."""

    def __init__(
        self, *, rng: random.Random, mint: IdMint, push: Callable[[int, ArchiveEvent], None], line: DemoLine
    ) -> None:
        self.rng, self.mint, self.push, self.line = rng, mint, push, line
        self.style = 2 if line.provider is Provider.EVOLUTION else 0

    def schedule(
        self,
        sent: list[Sent],
        *,
        conversation: ConversationRef,
        contact: DemoContact | None,
        group: DemoGroup | None,
        chat: str,
    ) -> None:
        rng = self.rng
        next_inbound: list[int | None] = [None] * len(sent)
        upcoming: int | None = None
        for i in range(len(sent) - 1, -1, -1):  # when the other side next spoke, for read receipts
            next_inbound[i] = upcoming
            if not sent[i].outbound:
                upcoming = sent[i].at
        for i, item in enumerate(sent):
            if item.outbound and contact is not None:
                self._statuses(item, recipient=contact.wa_id, answered_at=next_inbound[i])
            share = OUTBOUND_DELETE_SHARE if item.outbound else INBOUND_DELETE_SHARE
            deleted = item.deleted or (not item.edited and rng.random() < share)
            if deleted:
                at = item.at + rng.randint(5, 90 if item.deleted else 600)
                event_id = self._id(author=item.author, chat=chat, group=group, contact=contact)
                revoke = RevokeEvent(
                    target_message_id=item.event.provider_message_id,
                    conversation=conversation,
                    revoked_at=_at(at),
                    by_line=item.outbound,
                    provider_event_id=event_id,
                )
                self.push(at, revoke)
            elif rng.random() < REACTION_SHARE:
                self._react(item, conversation=conversation, contact=contact, group=group, chat=chat)

    def _statuses(self, item: Sent, *, recipient: str, answered_at: int | None) -> None:
        rng, push, target = self.rng, self.push, item.event.provider_message_id
        if rng.random() < FAILED_SHARE:
            push(item.at + 2, StatusEvent(target, DeliveryStatus.FAILED, _at(item.at + 2), recipient, _UNDELIVERABLE))
            return
        sent_at = item.at + 1
        delivered = sent_at + 1 + int(rng.expovariate(1 / 6))
        if rng.random() < 0.08:  # phone off or out of signal
            delivered += 300 + int(rng.random() * 6901)
        read: int | None = None
        if answered_at is not None:  # they answered, so they had read it; answers come >= 8 s later
            delivered = max(sent_at + 1, min(delivered, answered_at - 2))
            read = delivered + 1 + int(rng.random() * max(1, answered_at - 1 - delivered))
        elif rng.random() < READ_SHARE:
            read = delivered + 5 + int(rng.expovariate(1 / 900))
        push(sent_at, StatusEvent(target, DeliveryStatus.SENT, _at(sent_at), recipient))
        push(delivered, StatusEvent(target, DeliveryStatus.DELIVERED, _at(delivered), recipient))
        if read is not None:
            push(read, StatusEvent(target, DeliveryStatus.READ, _at(read), recipient))
            if item.event.kind is MessageKind.AUDIO:
                played = read + 2 + int(rng.random() * 59)
                push(played, StatusEvent(target, DeliveryStatus.PLAYED, _at(played), recipient))

    def _react(
        self,
        item: Sent,
        *,
        conversation: ConversationRef,
        contact: DemoContact | None,
        group: DemoGroup | None,
        chat: str,
    ) -> None:
        """The other side reacts: the contact (or a group member) to the line, the line to them."""
        rng = self.rng
        reactor: DemoContact | None
        if item.outbound:
            reactor = rng.choice(group.members) if group else contact
        elif group is not None and rng.random() < 0.5:
            reactor = rng.choice(group.members)
        else:
            reactor = None
        if reactor is not None and reactor is item.author:
            reactor = None
        at = item.at + 5 + int(rng.random() * 1796)
        author = reactor.ref if reactor else None
        target = item.event.provider_message_id
        event_id = self._id(author=reactor, chat=chat, group=group, contact=contact)
        self.push(at, ReactionEvent(target, conversation, rng.choice(REACTIONS), _at(at), event_id, author))
        if rng.random() < UNREACT_SHARE:
            at += 5 + int(rng.random() * 596)
            event_id = self._id(author=reactor, chat=chat, group=group, contact=contact)
            self.push(at, ReactionEvent(target, conversation, "", _at(at), event_id, author))

    def _id(
        self, *, author: DemoContact | None, chat: str, group: DemoGroup | None, contact: DemoContact | None
    ) -> str:
        """An id for a follow-up sent by `author` (None: the line)."""
        other = author or contact
        return self.mint.message_id(
            wa_id=other.wa_id if other else self.line.wa_id,
            chat=chat,
            outbound=author is None,
            style=self.style if author is None else author.index % 3,
            participant=f"{author.wa_id}@c.us" if group and author else None,
        )
