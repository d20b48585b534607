"""When people write: business hours, quiet nights and weekends, Brazilian national holidays.

The weights put about 95% of messages inside Monday-Friday 08:00-18:00 in the line's time zone,
so the after-hours detector and the heat map have something real to show.
"""

from __future__ import annotations

import bisect
import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Final
from zoneinfo import ZoneInfo

BUSINESS_START: Final = 8  # hour, local
BUSINESS_END: Final = 18  # hour, local; 18:00 itself is after hours
# Relative chance that a conversation starts in each local hour.
_WEEKDAY: Final = (
    0.004, 0.002, 0.001, 0.001, 0.001, 0.003, 0.01, 0.07,  # 00-07: a few night owls, early risers
    0.8, 1.2, 1.4, 1.4, 0.8, 1.0, 1.4, 1.4, 1.3, 0.9,  # 08-17: lunch dips at noon
    0.1, 0.06, 0.05, 0.03, 0.02, 0.01,  # 18-23
)  # fmt: skip
_SATURDAY: Final = (
    0, 0, 0, 0, 0, 0, 0, 0.1, 0.6, 1.0, 1.1, 1.0, 0.6, 0.3, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.02, 0,
)  # fmt: skip
_SUNDAY: Final = (
    0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0.3, 0.5, 0.5, 0.3, 0.2, 0.2, 0.3, 0.3, 0.4, 0.5, 0.6, 0.6, 0.4, 0.2, 0.05,
)  # fmt: skip
_WEEKDAY_CUM: Final = tuple(accumulate(_WEEKDAY))
_SATURDAY_CUM: Final = tuple(accumulate(_SATURDAY))
_SUNDAY_CUM: Final = tuple(accumulate(_SUNDAY))
SATURDAY_WEIGHT: Final = 0.06  # a Saturday sees 6% of a weekday's traffic
SUNDAY_WEIGHT: Final = 0.012
HOLIDAY_WEIGHT: Final = 0.015  # a weekday holiday looks like a Sunday


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lk = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lk) // 451
    month = (h + lk - 7 * m + 114) // 31
    day = (h + lk - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@lru_cache(maxsize=16)
def holidays(year: int) -> frozenset[date]:
    """National holidays, plus Carnival Monday and Tuesday, when most businesses close."""
    sunday = easter(year)
    movable = {sunday + timedelta(days=n) for n in (-48, -47, -2, 60)}  # Carnival, Good Friday, Corpus Christi
    fixed = {date(year, m, d) for m, d in ((1, 1), (4, 21), (5, 1), (9, 7), (10, 12), (11, 2), (11, 15), (12, 25))}
    if year >= 2024:
        fixed.add(date(year, 11, 20))  # Consciência Negra, national since 2024
    return frozenset(movable | fixed)


def day_weight(day: date) -> float:
    weekday = day.weekday()
    if weekday == 6:
        return SUNDAY_WEIGHT
    if day in holidays(day.year):
        return HOLIDAY_WEIGHT
    if weekday == 5:
        return SATURDAY_WEIGHT
    return 1.0


def _hours(day: date) -> tuple[float, ...]:
    weekday = day.weekday()
    if weekday == 6 or day in holidays(day.year):
        return _SUNDAY_CUM
    return _SATURDAY_CUM if weekday == 5 else _WEEKDAY_CUM


def start_seconds(rng: random.Random, day: date, count: int) -> list[int]:
    """`count` sorted moments of `day`, in seconds after local midnight."""
    cum = _hours(day)
    total = cum[-1]
    moments = [bisect.bisect_right(cum, rng.random() * total) * 3600 + rng.randrange(3600) for _ in range(count)]
    moments.sort()
    return moments


def local_midnight(day: date, zone: ZoneInfo) -> int:
    """Unix time of local midnight. Adding seconds to it ignores a DST jump that day, which
    Brazil abolished in 2019; the cost is an hour's shift on two days a year before that."""
    return int(datetime.combine(day, time(0), tzinfo=zone).timestamp())


def is_after_hours(moment: datetime, zone: ZoneInfo) -> bool:
    """Outside Monday-Friday 08:00-18:00 local time (holidays are not counted here)."""
    local = moment.astimezone(zone)
    return local.weekday() >= 5 or not BUSINESS_START <= local.hour < BUSINESS_END


def split_quota(total: int, weights: list[float]) -> list[int]:
    """Whole shares of `total` proportional to `weights`, summing exactly to `total`.

    Each share is the rounded running total minus the previous one, so rounding never drifts.
    """
    running = list(accumulate(weights))
    whole = running[-1] if running else 0.0
    if whole <= 0:
        return [0] * len(weights)
    shares, done = [], 0
    for upto in (round(total * r / whole) for r in running):
        shares.append(upto - done)
        done = upto
    return shares
