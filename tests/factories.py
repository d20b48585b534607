"""Builders for domain events and stored rows, so tests say only what matters to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from atalaia.domain.enums import ConversationKind, Direction, MessageKind
from atalaia.domain.events import AttachmentRef, ContactRef, ConversationRef, MessageEvent

T0 = datetime(2024, 3, 1, 14, 5, tzinfo=UTC)

MARIA = ContactRef(key="wa:5521988887777", wa_id="5521988887777", phone="+5521988887777", name="Maria Cliente")


def chat_with(contact: ContactRef = MARIA) -> ConversationRef:
    return ConversationRef(key=contact.key, kind=ConversationKind.DIRECT, contact=contact)


def group(key: str = "group:120363025246125486@g.us", subject: str = "Vendas - Equipe") -> ConversationRef:
    return ConversationRef(key=key, kind=ConversationKind.GROUP, subject=subject)


def inbound(
    provider_id: str,
    text: str = "Olá, bom dia!",
    *,
    minutes: int = 0,
    contact: ContactRef = MARIA,
    attachments: tuple[AttachmentRef, ...] = (),
) -> MessageEvent:
    return MessageEvent(
        provider_message_id=provider_id,
        conversation=chat_with(contact),
        direction=Direction.INBOUND,
        kind=MessageKind.TEXT if not attachments else MessageKind.DOCUMENT,
        sent_at=T0 + timedelta(minutes=minutes),
        text=text,
        author=contact,
        attachments=attachments,
        raw={"id": provider_id, "text": {"body": text}},
    )


def outbound(provider_id: str, text: str = "Bom dia! Como posso ajudar?", *, minutes: int = 1) -> MessageEvent:
    return MessageEvent(
        provider_message_id=provider_id,
        conversation=chat_with(),
        direction=Direction.OUTBOUND,
        kind=MessageKind.TEXT,
        sent_at=T0 + timedelta(minutes=minutes),
        text=text,
        author_name="Bruno Vendas",
    )
