"""Normalised events: what every connector produces and the archive consumes.

A connector turns one provider payload into a list of these; nothing after a connector sees a
provider dict except as the opaque `raw` kept for evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from atalaia.domain.enums import ConversationKind, DeliveryStatus, Direction, MessageKind

JSONDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ContactRef:
    """Someone on the other side, identified by the most stable id the provider gave.

    `key` is the identity the archive de-duplicates on: the business-scoped user id when the
    Cloud API gives one, else the WhatsApp id (phone digits or a privacy `@lid`), else, for chat
    exports that carry only a display name, that name prefixed so it never collides with an id.
    """

    key: str
    wa_id: str | None = None
    phone: str | None = None  # E.164, when known
    name: str | None = None
    bsuid: str | None = None
    lid: str | None = None


@dataclass(frozen=True, slots=True)
class ConversationRef:
    key: str  # the chat id on the line: contact key for one-to-one chats, group id for groups
    kind: ConversationKind = ConversationKind.DIRECT
    subject: str | None = None  # group name
    contact: ContactRef | None = None  # the other party of a one-to-one chat


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A media object: its bytes when the payload or export carried them, else an id to fetch."""

    file_name: str | None = None
    mime_type: str | None = None
    sha256: str | None = None  # hex digest declared by the provider, checked when bytes arrive
    provider_media_id: str | None = None
    caption: str | None = None
    content: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class MessageEvent:
    provider_message_id: str
    conversation: ConversationRef
    direction: Direction
    kind: MessageKind
    sent_at: datetime  # aware, UTC
    text: str | None = None
    author: ContactRef | None = None  # None: the line itself wrote it
    author_name: str | None = None
    reply_to: str | None = None  # provider id of the quoted message
    forwarded: bool = False
    frequently_forwarded: bool = False
    referral: JSONDict | None = None  # click-to-WhatsApp ad that opened the chat
    attachments: tuple[AttachmentRef, ...] = ()
    raw: JSONDict | None = None


@dataclass(frozen=True, slots=True)
class EditEvent:
    target_message_id: str
    conversation: ConversationRef
    new_text: str
    edited_at: datetime
    provider_event_id: str | None = None
    raw: JSONDict | None = None


@dataclass(frozen=True, slots=True)
class RevokeEvent:
    """A deletion "for everyone": the archive marks the message deleted and keeps what it said."""

    target_message_id: str
    conversation: ConversationRef
    revoked_at: datetime
    by_line: bool  # the employee deleted it (else the other party)
    provider_event_id: str | None = None
    raw: JSONDict | None = None


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    target_message_id: str
    conversation: ConversationRef
    emoji: str  # empty: the reaction was removed
    reacted_at: datetime
    provider_event_id: str
    author: ContactRef | None = None  # None: the line reacted
    raw: JSONDict | None = None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """Delivery status of an outbound message; statuses arrive unordered and are all kept."""

    target_message_id: str
    status: DeliveryStatus
    at: datetime
    recipient: str | None = None
    errors: tuple[JSONDict, ...] = ()
    raw: JSONDict | None = None


ArchiveEvent = MessageEvent | EditEvent | RevokeEvent | ReactionEvent | StatusEvent
