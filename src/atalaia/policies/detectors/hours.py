"""After-hours use: a message's local time against weekly business hours and the national holidays.

Holidays are computed, not listed, so no table goes stale: the fixed national ones (Lei
662/1949, 6.802/1980 and 14.759/2023, which made 20 November national from 2024) and those
that move with Easter: Carnaval Monday and Tuesday, Sexta-feira Santa and Corpus Christi.
Carnaval and Corpus Christi are optional days off (ponto facultativo) by law but closed in
practice, which is what an after-hours rule is about; `holidays: false` turns them all off.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from atalaia.domain.policy import HoursOptions, WeeklyHours

_FIXED: Final = (
    (1, 1, "Confraternização Universal"),
    (4, 21, "Tiradentes"),
    (5, 1, "Dia do Trabalho"),
    (9, 7, "Independência do Brasil"),
    (10, 12, "Nossa Senhora Aparecida"),
    (11, 2, "Finados"),
    (11, 15, "Proclamação da República"),
    (11, 20, "Dia Nacional de Zumbi e da Consciência Negra"),  # national from 2024
    (12, 25, "Natal"),
)
_EASTER_BASED: Final = (
    (-48, "Carnaval"),
    (-47, "Carnaval"),
    (-2, "Sexta-feira Santa"),
    (60, "Corpus Christi"),
)
_DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def brazilian_holidays(year: int) -> dict[date, str]:
    """National holidays of `year`, date -> name."""
    holidays = {
        date(year, month, day): name for month, day, name in _FIXED if not (month == 11 and day == 20 and year < 2024)
    }
    sunday = easter(year)
    for offset, name in _EASTER_BASED:
        holidays.setdefault(sunday + timedelta(days=offset), name)
    return holidays


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(moment: datetime, timezone: str) -> datetime:
    """`moment` in `timezone`; a naive moment is taken as wall-clock time there already."""
    zone = _zone(timezone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def outside_hours(moment: datetime, options: HoursOptions) -> str | None:
    """Why `moment` is outside business hours ("holiday: Natal", "sat 13:05"), or None when inside."""
    local = local_time(moment, options.timezone)
    day = local.date()
    if options.holidays:
        name = brazilian_holidays(day.year).get(day)
        if name is not None:
            return f"holiday: {name}"
    if day in options.extra_holidays:
        return "holiday"
    minute = local.hour * 60 + local.minute
    for start, end in options.hours.days[local.weekday()]:
        if start <= minute < end:
            return None
    return f"{_DAY_NAMES[local.weekday()]} {local:%H:%M}"


def parse_weekly_hours(spec: dict[str, str | list[str] | None]) -> WeeklyHours:
    """`{"mon-fri": "08:00-18:00", "sat": ["08:00-12:00"]}` -> WeeklyHours; unlisted days are closed.

    Day names: mon..sun or seg, ter, qua, qui, sex, sab, dom; ranges (`mon-fri`) and lists
    (`mon,wed`). A value is `HH:MM-HH:MM` (end up to 24:00, after the start), a list of those,
    or `closed`. Raises ValueError with a message for the policy author.
    """
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for key, value in spec.items():
        intervals = _parse_intervals(value)
        for weekday in parse_days(key):
            days[weekday].extend(intervals)
    return WeeklyHours(days=tuple(tuple(sorted(d)) for d in days))


_DAY_NUMBERS: Final = {
    **{name: n for n, name in enumerate(_DAY_NAMES)},
    **{name: n for n, name in enumerate(("seg", "ter", "qua", "qui", "sex", "sab", "dom"))},
}


def parse_days(key: str) -> list[int]:
    result: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in _DAY_NUMBERS or (last and last not in _DAY_NUMBERS):
            raise ValueError(f"unknown day {part!r} (use mon..sun or seg..dom, e.g. mon-fri)")
        start = _DAY_NUMBERS[first]
        stop = _DAY_NUMBERS[last] if last else start
        result.extend((start + i) % 7 for i in range((stop - start) % 7 + 1))
    return result


def _parse_intervals(value: str | list[str] | None) -> list[tuple[int, int]]:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("closed", "fechado", "")):
        return []
    items = [value] if isinstance(value, str) else value
    intervals = []
    for item in items:
        first, sep, last = item.replace(" ", "").partition("-")
        start, end = _minutes(first), _minutes(last) if sep else -1
        if start < 0 or end < 0 or end <= start:
            raise ValueError(f"bad hours {item!r} (expected HH:MM-HH:MM, end after start, up to 24:00)")
        intervals.append((start, end))
    return intervals


def _minutes(text: str) -> int:
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        return -1
    total = int(hours) * 60 + int(minutes)
    return total if int(minutes) < 60 and total <= 24 * 60 else -1


def epoch_to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
