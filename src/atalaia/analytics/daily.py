"""Messages in and out per local day: the series behind the dashboard's volume chart.

Folded from the same hour buckets as every other volume (buckets.py), each in its line's zone,
so the chart and the report never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.analytics.buckets import hour_buckets
from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.db.models import Line
from atalaia.domain.enums import Direction


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    messages_in: int
    messages_out: int


def daily_volumes(session: Session, scope: Scope, period: Period) -> list[Day]:
    """One entry per local day of the period (zeros included), in the period's zone for the days' edges."""
    zones = {
        line_id: ZoneInfo(zone)
        for line_id, zone in session.execute(select(Line.id, Line.timezone).where(Line.tenant_id == scope.tenant_id))
    }
    period_zone = ZoneInfo(period.timezone)
    counts: dict[tuple[date, str], int] = {}
    for bucket in hour_buckets(session, scope, period):
        day = bucket.hour.astimezone(zones.get(bucket.line_id, period_zone)).date()
        counts[(day, bucket.direction)] = counts.get((day, bucket.direction), 0) + bucket.count
    first = period.start.astimezone(period_zone).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(period_zone).date()
    days = []
    current = first
    while current <= last:
        days.append(Day(current, counts.get((current, Direction.INBOUND.value), 0),
                        counts.get((current, Direction.OUTBOUND.value), 0)))  # fmt: skip
        current += timedelta(days=1)
    return days
