"""The weekly report e-mails: one row per (manager, team, ISO week), claimed before the e-mail goes out.

The unique key is what keeps restarts and several workers from sending a week twice: whoever
inserts the row sends; a failed delivery leaves it `retrying` for a later check to claim again
with a conditional UPDATE. See docs/decisions/0026-pdf-and-weekly-reports.md.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class WeeklyReport(Base):
    __tablename__ = "weekly_reports"
    __table_args__ = (UniqueConstraint("user_id", "team_id", "week_start", name="uq_weekly_reports_user_team_week"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)  # the Monday of the ISO week reported, tenant's zone
    status: Mapped[str] = mapped_column(String(20))  # sending | sent | retrying | failed
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
