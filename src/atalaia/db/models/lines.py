"""Corporate lines and the people and chats on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class Line(Base):
    __tablename__ = "lines"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        # The Cloud API routes by phone_number_id across the whole installation.
        Index("ix_lines_phone_number_id", "phone_number_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # E.164
    provider: Mapped[str] = mapped_column(String(20))
    phone_number_id: Mapped[str | None] = mapped_column(String(64))
    instance: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Sao_Paulo")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # gateway secret, hashed
    # The same gateway secret sealed with the tenant's data key: WAHA's HMAC needs the key itself.
    token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Coexistence history backfill, as Meta reports it: phase 0 (day 0-1), 1 (1-90), 2 (90-180 days)
    # and the percent done; only ever moves forward, however the chunks arrive.
    history_phase: Mapped[int | None] = mapped_column(Integer)
    history_progress: Mapped[int | None] = mapped_column(Integer)
    history_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LineAssignment(Base):
    """Who held a line, from when to when: a reassigned line keeps its history, and each message
    stays the conduct of the employee who held the line when it was sent."""

    __tablename__ = "line_assignments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaptureGap(Base):
    """A period in which a line may have missed messages: it went silent when its usual activity
    says it should not have, or its gateway reported a disconnection. Open until events resume."""

    __tablename__ = "capture_gaps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # silence | disconnected
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the line's last event before the gap
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first event after it
    expected_messages: Mapped[int] = mapped_column(Integer, default=0)  # what its usual activity predicted


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))  # see domain.events.ContactRef.key
    wa_id: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    bsuid: Mapped[str | None] = mapped_column(String(128))
    lid: Mapped[str | None] = mapped_column(String(64))
    profile_name: Mapped[str | None] = mapped_column(String(200))
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set by a correction (LGPD art. 18 III; services/governance/correction.py): profile_name is
    # the corrected name once name_corrected_at is set, and incoming webhooks no longer overwrite it.
    email: Mapped[str | None] = mapped_column(String(320))
    note: Mapped[str | None] = mapped_column(Text)
    name_corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("line_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(300))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Participant(Base):
    __tablename__ = "participants"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True, index=True)
