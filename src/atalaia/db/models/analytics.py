"""Analytics rollups: message counts per line and UTC hour, kept up to date as messages are archived.

See docs/decisions/0023-analytics-rollups.md. A row is exactly one row of the GROUP BY in
`analytics/buckets.py` over the archive, so dashboards read a few thousand rows instead of
scanning millions of messages, and give the same figures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class MessageRollup(Base):
    """Counted (non-system) messages of one line in one UTC hour, by direction, message kind and chat kind."""

    __tablename__ = "message_rollups"
    __table_args__ = (Index("ix_message_rollups_tenant_hour", "tenant_id", "hour"),)

    line_id: Mapped[int] = mapped_column(BigId, ForeignKey("lines.id"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # start of the UTC hour
    direction: Mapped[str] = mapped_column(String(10), primary_key=True)
    message_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    conversation_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    count: Mapped[int] = mapped_column(BigInteger)
