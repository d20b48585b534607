"""Business seconds, percentiles, periods and the heat-map fold: the pure arithmetic under every report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from atalaia.analytics.buckets import HourBucket
from atalaia.analytics.hours import business_seconds, default_hours, hours_by_line
from atalaia.analytics.percentiles import percentile, summary
from atalaia.analytics.period import parse_period
from atalaia.analytics.volumes import fold_buckets
from atalaia.errors import InvalidInput

SP = default_hours("America/Sao_Paulo")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "seconds"),
    [
        ("2024-03-04T12:00", "2024-03-04T12:10", 600),  # Monday 09:00-09:10 in São Paulo
        ("2024-03-04T20:00", "2024-03-05T12:00", 7200),  # Monday 17:00 -> Tuesday 09:00: 17-18 and 08-09
        ("2024-03-08T20:30", "2024-03-11T11:15", 45 * 60),  # Friday 17:30 -> Monday 08:15, a weekend between
        ("2024-04-30T21:00", "2024-05-02T11:30", 30 * 60),  # 1 May closed; Thursday 08:00-08:30
        ("2024-12-24T20:00", "2024-12-26T12:00", 7200),  # 24th 17:00-18:00, Christmas closed, 26th 08:00-09:00
        ("2024-03-09T12:00", "2024-03-10T12:00", 0),  # a weekend
        ("2024-03-04T12:10", "2024-03-04T12:00", 0),  # backwards
        ("2024-02-12T12:00", "2024-02-13T20:00", 0),  # Carnaval Monday and Tuesday
    ],
)
def test_business_seconds(start: str, end: str, seconds: int) -> None:
    assert business_seconds(utc(start), utc(end), SP) == seconds


def test_business_seconds_in_the_lines_own_zone() -> None:
    # 21:30Z on a Friday is 17:30 in Manaus (open) and 18:30 in São Paulo (closed).
    start, end = utc("2024-05-03T21:30"), utc("2024-05-03T21:50")
    assert business_seconds(start, end, default_hours("America/Manaus")) == 1200
    assert business_seconds(start, end, SP) == 0


def test_business_seconds_across_the_old_summer_time() -> None:
    # São Paulo had summer time (UTC-2) from 4 Nov 2018; a whole working day is still ten hours.
    assert business_seconds(utc("2018-11-05T00:00"), utc("2018-11-06T00:00"), SP) == 10 * 3600


def test_percentiles_interpolate_like_postgresql() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([600.0, 1200.0, 30600.0, 118800.0], 0.9) == pytest.approx(92340.0)
    assert summary([3.0, 1.0, 2.0]) == {"median": 2.0, "p90": 2.8}
    assert summary([]) == {"median": None, "p90": None}


def test_period_dates_are_whole_local_days() -> None:
    period = parse_period("2024-03-01", "2024-03-31", timezone="America/Sao_Paulo", now=utc("2024-06-01T00:00"))
    assert (period.start, period.end) == (utc("2024-03-01T03:00"), utc("2024-04-01T03:00"))
    noronha = parse_period("2024-03-01", "2024-03-01", timezone="America/Noronha", now=utc("2024-06-01T00:00"))
    assert (noronha.start, noronha.end) == (utc("2024-03-01T02:00"), utc("2024-03-02T02:00"))


def test_period_date_times_are_exact_and_the_end_excluded() -> None:
    period = parse_period(
        "2024-03-01T08:00", "2024-03-01T18:00Z", timezone="America/Sao_Paulo", now=utc("2024-06-01T00:00")
    )
    assert (period.start, period.end) == (utc("2024-03-01T11:00"), utc("2024-03-01T18:00"))


def test_the_default_period_is_the_last_30_days_today_included() -> None:
    now = utc("2024-03-31T02:30")  # still 30 March in São Paulo
    period = parse_period(None, None, timezone="America/Sao_Paulo", now=now)
    assert (period.start, period.end) == (utc("2024-03-01T03:00"), utc("2024-03-31T03:00"))
    assert period.end - period.start == timedelta(days=30)
    only_to = parse_period(None, "2024-01-31", timezone="America/Sao_Paulo", now=now)
    assert only_to.start == utc("2024-01-02T03:00")


@pytest.mark.parametrize(
    ("date_from", "date_to", "message"),
    [
        ("2024-13-01", None, "data inválida em --from"),
        ("ontem", None, "data inválida em --from"),
        ("2024-03-01", "31/03/2024", "data inválida em --to"),
        ("2024-03-02", "2024-03-01", "período vazio"),
        ("2024-03-01T10:00", "2024-03-01T10:00", "período vazio"),
    ],
)
def test_bad_periods_say_what_is_wrong(date_from: str, date_to: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_period(date_from, date_to, timezone="America/Sao_Paulo", now=utc("2024-06-01T00:00"))


def test_hour_buckets_fold_into_local_cells_and_after_hours() -> None:
    hours_for = hours_by_line({1: "America/Sao_Paulo", 2: "America/Noronha"}, "America/Sao_Paulo")
    buckets = [
        HourBucket(1, utc("2024-05-01T02:00"), "inbound", "text", "direct", 2),  # Tue 23h in São Paulo
        HourBucket(2, utc("2024-05-01T02:00"), "outbound", "image", "group", 1),  # Wed 00h in Noronha
        HourBucket(1, utc("2024-05-02T12:00"), "outbound", "text", "direct", 4),  # Thu 09h
    ]
    volumes = fold_buckets(buckets, hours_for)

    assert (volumes.messages_in, volumes.messages_out, volumes.after_hours) == (2, 5, 3)
    assert volumes.heat_map() == [[1, 23, 2], [2, 0, 1], [3, 9, 4]]
    assert volumes.after_hours_share() == round(3 / 7, 4)
    assert (volumes.media, dict(volumes.by_conversation_kind)) == (1, {"direct": 6, "group": 1})
