"""After hours: local time against weekly hours, and Brazil's national holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from atalaia.domain.policy import HoursOptions
from atalaia.policies.detectors.hours import brazilian_holidays, easter, outside_hours, parse_weekly_hours

HOURS = HoursOptions(hours=parse_weekly_hours({"mon-fri": "08:00-18:00", "sat": "08:00-12:00"}))


@pytest.mark.parametrize(
    ("moment", "outside"),
    [
        (datetime(2025, 3, 12, 10, 0), False),  # Wednesday morning
        (datetime(2025, 3, 12, 7, 59), True),
        (datetime(2025, 3, 12, 18, 0), True),  # the end is exclusive
        (datetime(2025, 3, 15, 11, 59), False),  # Saturday morning
        (datetime(2025, 3, 15, 12, 0), True),
        (datetime(2025, 3, 16, 10, 0), True),  # Sunday: not listed, closed
    ],
)
def test_wall_clock_times_are_checked_against_the_week(moment: datetime, outside: bool) -> None:
    assert (outside_hours(moment, HOURS) is not None) is outside


def test_an_aware_time_is_converted_to_the_rule_time_zone() -> None:
    # 12:30 UTC is 09:30 in São Paulo (UTC-3): inside; 22:30 UTC is 19:30: outside.
    assert outside_hours(datetime(2025, 3, 12, 12, 30, tzinfo=UTC), HOURS) is None
    assert outside_hours(datetime(2025, 3, 12, 22, 30, tzinfo=UTC), HOURS) == "wed 19:30"


@pytest.mark.parametrize(
    ("year", "sunday"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2038, date(2038, 4, 25))],
)
def test_easter(year: int, sunday: date) -> None:
    assert easter(year) == sunday


def test_the_2025_national_holidays() -> None:
    holidays = brazilian_holidays(2025)
    assert holidays[date(2025, 3, 3)] == holidays[date(2025, 3, 4)] == "Carnaval"
    assert holidays[date(2025, 4, 18)] == "Sexta-feira Santa"
    assert holidays[date(2025, 6, 19)] == "Corpus Christi"
    assert holidays[date(2025, 11, 20)].startswith("Dia Nacional de Zumbi")
    assert {date(2025, 1, 1), date(2025, 4, 21), date(2025, 5, 1), date(2025, 9, 7), date(2025, 10, 12)} < set(holidays)
    assert {date(2025, 11, 2), date(2025, 11, 15), date(2025, 12, 25)} < set(holidays)


def test_consciencia_negra_is_national_only_from_2024() -> None:
    assert date(2023, 11, 20) not in brazilian_holidays(2023)
    assert date(2024, 11, 20) in brazilian_holidays(2024)


def test_a_holiday_morning_is_outside_hours_unless_holidays_are_off() -> None:
    christmas = datetime(2025, 12, 25, 10, 0)  # a Thursday
    assert outside_hours(christmas, HOURS) == "holiday: Natal"
    no_holidays = HoursOptions(hours=HOURS.hours, holidays=False)
    assert outside_hours(christmas, no_holidays) is None


def test_extra_holidays() -> None:
    options = HoursOptions(hours=HOURS.hours, extra_holidays=frozenset({date(2025, 12, 24)}))
    assert outside_hours(datetime(2025, 12, 24, 10, 0), options) == "holiday"


def test_weekly_hours_accept_portuguese_days_lists_and_split_shifts() -> None:
    week = parse_weekly_hours({"seg-sex": ["08:00-12:00", "13:00-18:00"], "sab,dom": "closed"})
    assert week.days[0] == ((480, 720), (780, 1080))
    assert week.days[5] == week.days[6] == ()
    assert parse_weekly_hours({"fri-mon": "00:00-24:00"}).days[6] == ((0, 1440),)


@pytest.mark.parametrize(
    "spec", [{"mon-fri": "18:00-08:00"}, {"mon": "8-18"}, {"mon": "08:00-25:00"}, {"funday": "08:00-18:00"}]
)
def test_bad_hours_are_refused(spec: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"bad hours|unknown day"):
        parse_weekly_hours(spec)  # type: ignore[arg-type]
