"""The period a report covers, [start, end), read from what a person types.

A date means the whole day in the report's time zone (the tenant's, or the line's when the scope
is one line), so `--from 2024-03-01 --to 2024-03-31` is all of March there; a date-time is an
exact instant (without an offset, read in that zone) and `--to` excludes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from atalaia.errors import InvalidInput

DEFAULT_DAYS: Final = 30
DATE_LENGTH: Final = 10  # AAAA-MM-DD


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware
    timezone: str  # the zone its dates were read in

    def as_json(self) -> dict[str, str]:
        zone = ZoneInfo(self.timezone)
        return {
            "from": self.start.astimezone(zone).isoformat(),
            "to": self.end.astimezone(zone).isoformat(),
            "timezone": self.timezone,
        }


def parse_period(
    date_from: str | None, date_to: str | None, *, timezone: str, now: datetime, days: int = DEFAULT_DAYS
) -> Period:
    """The period for `--from`/`--to`; either may be missing: the last `days` days, today included."""
    zone = ZoneInfo(timezone)
    end = (
        _bound(date_to, zone, end=True, label="--to")
        if date_to
        else _midnight(now.astimezone(zone).date() + timedelta(days=1), zone)
    )
    start = _bound(date_from, zone, end=False, label="--from") if date_from else _days_before(end, days, zone)
    if start >= end:
        first, last = date_from or start.isoformat(), date_to or end.isoformat()
        raise InvalidInput(f"período vazio: o início ({first}) não é anterior ao fim ({last})")
    return Period(start=start, end=end, timezone=timezone)


def _bound(value: str, zone: ZoneInfo, *, end: bool, label: str) -> datetime:
    text = value.strip()
    try:
        if len(text) == DATE_LENGTH:
            day = date.fromisoformat(text)
            return _midnight(day + timedelta(days=1) if end else day, zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"data inválida em {label}: {value!r}. Use AAAA-MM-DD ou data e hora ISO, como 2024-03-01T14:00."
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _days_before(end: datetime, days: int, zone: ZoneInfo) -> datetime:
    """`days` local days before `end` (a wall-clock subtraction, right across a DST change)."""
    local = end.astimezone(zone)
    return datetime.combine(local.date() - timedelta(days=days), local.time(), tzinfo=zone)
