"""Archived records: messages and everything that happens to them. All of them are hash-chained.

Messages are append-only: `text` is what was first said and never changes. Edits add revisions,
deletions add revocations; `edited_at`/`revoked_at` on the message are conveniences for display,
outside the hashed fields, and always derivable from those records.
Events that can arrive before their message (edits, reactions, statuses) name it by provider id;
`message_id` is filled when both are present.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("line_id", "provider_message_id"),
        Index("ix_messages_conversation_sent", "conversation_id", "sent_at"),
        Index("ix_messages_tenant_sent", "tenant_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    provider_message_id: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(10))
    author_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    author_name: Mapped[str | None] = mapped_column(String(200))
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reply_to: Mapped[str | None] = mapped_column(String(200))
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False)
    frequently_forwarded: Mapped[bool] = mapped_column(Boolean, default=False)
    referral: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("line_id", "provider_event_id"),
        Index("ix_revisions_target", "line_id", "target_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    target_message_id: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    provider_event_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Revocation(Base):
    __tablename__ = "revocations"
    __table_args__ = (
        UniqueConstraint("line_id", "provider_event_id"),
        Index("ix_revocations_target", "line_id", "target_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    target_message_id: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    provider_event_id: Mapped[str] = mapped_column(String(200))
    by_line: Mapped[bool] = mapped_column(Boolean)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Reaction(Base):
    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("line_id", "provider_event_id"),
        Index("ix_reactions_target", "line_id", "target_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    target_message_id: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    provider_event_id: Mapped[str] = mapped_column(String(200))
    author_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    emoji: Mapped[str] = mapped_column(String(32))  # empty: removed
    reacted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DeliveryStatusRecord(Base):
    __tablename__ = "statuses"
    __table_args__ = (
        UniqueConstraint("line_id", "target_message_id", "status"),
        Index("ix_statuses_target", "line_id", "target_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    target_message_id: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipient: Mapped[str | None] = mapped_column(String(200))
    errors: Mapped[list[Any] | None] = mapped_column(JSON)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_sha256", "tenant_id", "sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(300))
    mime_type: Mapped[str | None] = mapped_column(String(200))
    caption: Mapped[str | None] = mapped_column(Text)
    provider_media_id: Mapped[str | None] = mapped_column(String(200))
    declared_sha256: Mapped[str | None] = mapped_column(String(64))
    # Filled when the bytes are stored (now, or later by the media download job); outside the hash.
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    blob_key: Mapped[str | None] = mapped_column(String(200))
    download_status: Mapped[str] = mapped_column(String(20), default="stored")


class AttachmentText(Base):
    """Text extracted from an attachment's bytes, or why there is none (docs/decisions/0009).

    Derived data, outside the hash chain: the chained attachment row names the bytes by SHA-256,
    and the text can be extracted from them again. Kept out of `attachments` so archived rows
    stay small and the writer's inserts untouched. One row per attachment once its job ran.
    """

    __tablename__ = "attachment_texts"
    __table_args__ = (UniqueConstraint("tenant_id", "attachment_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # done | unsupported | too_large | failed | timeout | unavailable
    kind: Mapped[str | None] = mapped_column(String(20))  # the real type: pdf, docx, xlsx, csv, txt, png...
    reason: Mapped[str | None] = mapped_column(String(300))  # why nothing, or not everything, was extracted
    text: Mapped[str | None] = mapped_column(Text)
    chars: Mapped[int] = mapped_column(Integer, default=0)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    extracted_at: Mapped[datetime] = mapped_column(UTCDateTime)
