"""Business hours of a line and the clock that counts only them.

Reuses the `outside_hours` detector's calendar (weekly hours, national holidays computed from
Easter) so an after-hours alert and the after-hours share never disagree about a moment. Lines
have no hours setting yet: every line gets Monday to Friday, 08:00-18:00, in its own time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

from atalaia.domain.policy import HoursOptions, WeeklyHours
from atalaia.policies.detectors.hours import brazilian_holidays, outside_hours, parse_weekly_hours

DEFAULT_WEEKLY_HOURS: Final[WeeklyHours] = parse_weekly_hours({"mon-fri": "08:00-18:00"})
HoursFor = Callable[[int], HoursOptions]  # line id -> its business hours


@cache
def default_hours(timezone: str) -> HoursOptions:
    return HoursOptions(hours=DEFAULT_WEEKLY_HOURS, timezone=timezone, holidays=True)


def hours_by_line(line_zones: Mapping[int, str], fallback_zone: str) -> HoursFor:
    """Each line's hours: the default week in the line's zone (the fallback zone for an unknown line)."""

    def hours_for(line_id: int) -> HoursOptions:
        return default_hours(line_zones.get(line_id, fallback_zone))

    return hours_for


def is_after_hours(moment: datetime, options: HoursOptions) -> bool:
    return outside_hours(moment, options) is not None


def business_seconds(start: datetime, end: datetime, options: HoursOptions) -> float:
    """Seconds between two instants that fall inside business hours (holidays closed)."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(options.timezone)
    total = 0.0
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        if not _closed(day, options):
            for first_minute, last_minute in options.hours.days[day.weekday()]:
                opens, closes = _instant(day, first_minute, zone), _instant(day, last_minute, zone)
                overlap = (min(closes, end) - max(opens, start)).total_seconds()
                total += max(overlap, 0.0)
        day += timedelta(days=1)
    return total


def _closed(day: date, options: HoursOptions) -> bool:
    return (options.holidays and day in brazilian_holidays(day.year)) or day in options.extra_holidays


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock minute of `day` (minute 1440 is the next midnight)."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    return wall.replace(tzinfo=zone).astimezone(UTC)
