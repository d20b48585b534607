"""The notice to third parties: each contact told, once per line, that the chat is recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class Notice(Base):
    """One notice owed to a contact on a line: sent by Atalaia (Cloud API) or by the employee (manual).

    Its delivery and reading come from the statuses of `provider_message_id`, never stored twice.
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_line_contact", "line_id", "contact_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    status: Mapped[str] = mapped_column(String(20))  # pending | sent | failed | manual
    text: Mapped[str] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
