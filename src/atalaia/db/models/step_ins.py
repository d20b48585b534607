"""Messages a console user sent into a conversation ("step-in"): who sent which provider message, when.

The message itself is archived like any other outbound message (hash-chained); this row only says
that it came from the console and from whom. It holds no text, so an erasure of the message leaves
nothing personal here, and it points at the message by the provider's id on its line (the archive's
own idempotency key), so an echo webhook archived first is matched just the same.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class StepIn(Base):
    __tablename__ = "step_ins"
    __table_args__ = (
        UniqueConstraint("line_id", "provider_message_id", name="uq_step_ins_line_message"),
        Index("ix_step_ins_conversation", "tenant_id", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    conversation_id: Mapped[int] = mapped_column(BigId)  # no FK: an erased conversation keeps who stepped in
    provider_message_id: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(BigId)
    sent_by: Mapped[str] = mapped_column(String(320))  # the user's e-mail, as the audit log names them
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
