"""Thresholds: N hits within a window, decided from the hit times alone."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from atalaia.domain.policy import Threshold
from atalaia.policies.threshold import firing_times, parse_window, threshold_fires

T0 = datetime(2025, 3, 12, 10, 0)


def at(*minutes: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in minutes]


def test_it_fires_when_count_hits_fall_within_the_window() -> None:
    rule = Threshold(count=3, window=timedelta(minutes=10))
    assert threshold_fires(at(0, 4, 10), rule)  # the window is inclusive
    assert not threshold_fires(at(0, 4, 10.5), rule)
    assert not threshold_fires(at(0, 30, 60), rule)


def test_order_does_not_matter_and_a_burst_fires_once_per_count() -> None:
    rule = Threshold(count=5, window=timedelta(minutes=10))
    burst = at(*range(12))[::-1]
    assert firing_times(burst, rule) == at(4, 9)


def test_a_count_of_one_fires_on_every_hit() -> None:
    assert len(firing_times(at(0, 1, 2), Threshold(count=1, window=timedelta(seconds=1)))) == 3


def test_no_hits_never_fire() -> None:
    assert not threshold_fires([], Threshold(count=1, window=timedelta(minutes=1)))


@pytest.mark.parametrize(
    ("text", "window"),
    [("30s", timedelta(seconds=30)), ("10m", timedelta(minutes=10)), ("2h", timedelta(hours=2)),
     ("1d", timedelta(days=1)), (" 1W ", timedelta(weeks=1))],
)  # fmt: skip
def test_windows(text: str, window: timedelta) -> None:
    assert parse_window(text) == window


@pytest.mark.parametrize("text", ["10", "m", "0m", "10 minutes", "-5m", "1.5h"])
def test_bad_windows(text: str) -> None:
    with pytest.raises(ValueError, match="bad window"):
        parse_window(text)
