"""Thresholds: N hits within a window, decided from the hit times alone, and how a policy file gives them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from atalaia.domain.policy import Threshold, ThresholdPer
from atalaia.policies import PolicyError, load_policies
from atalaia.policies.threshold import (
    OpenAlert,
    Timed,
    describe,
    firing_times,
    format_window,
    parse_window,
    plan_threshold,
    rule_thresholds,
    threshold_fires,
)

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


# -- plan_threshold: what new hits do, given the pending ones and the open alerts ------------------

DAY = Threshold(count=3, window=timedelta(hours=24))


def timed(*minutes: float, tag: str = "n") -> list[Timed[str]]:
    return [Timed(T0 + timedelta(minutes=m), f"{tag}{m:g}") for m in minutes]


def test_below_the_count_nothing_fires_and_every_hit_waits() -> None:
    plan = plan_threshold(DAY, new=timed(60), pending=timed(0, tag="p"))
    assert (plan.joined, plan.fired) == ({}, [])


def test_the_hit_that_reaches_the_count_fires_with_every_hit_of_its_window() -> None:
    plan = plan_threshold(DAY, new=timed(120), pending=timed(0, 60, 2000, tag="p"))
    [fired] = plan.fired
    assert fired.members == ("p0", "p60", "n120")
    assert fired.trigger == "n120"
    assert (fired.first, fired.last) == (T0, T0 + timedelta(minutes=120))


def test_later_hits_of_the_same_window_go_with_it_and_the_next_window_counts_afresh() -> None:
    plan = plan_threshold(DAY, new=timed(0, 10, 20, 30, 1440, 1441, 1500, 1501))
    first, second = plan.fired
    assert first.members == ("n0", "n10", "n20", "n30", "n1440")  # the window ends 24 h after its first hit
    assert second.members == ("n1441", "n1500", "n1501")


def test_the_window_is_inclusive_at_its_edge() -> None:
    assert len(plan_threshold(DAY, new=timed(0, 720, 1440)).fired) == 1
    assert plan_threshold(DAY, new=timed(0, 720, 1440.01)).fired == []


def test_arrival_order_does_not_change_what_fires() -> None:
    in_order = plan_threshold(DAY, new=timed(0, 60, 120))
    shuffled = plan_threshold(DAY, new=timed(120, 0, 60))
    assert in_order.fired == shuffled.fired


def test_a_hit_that_fits_an_open_alert_joins_it() -> None:
    alert = OpenAlert(id=7, first=T0, last=T0 + timedelta(hours=2))
    plan = plan_threshold(DAY, new=timed(-600, 1440, 1441), open_alerts=[alert])
    assert plan.joined == {"n-600": 7}  # 10 h earlier still fits one window with the alert's hits
    assert plan.fired == []  # 1440 no longer fits once -600 joined; 1441 neither; two waiting hits
    assert (alert.first, alert.last) == (T0, T0 + timedelta(hours=2))  # the caller's object is not changed


def test_a_count_of_one_fires_on_the_first_hit_and_groups_the_window() -> None:
    plan = plan_threshold(Threshold(count=1, window=timedelta(hours=1)), new=timed(0, 30, 61))
    assert [f.members for f in plan.fired] == [("n0", "n30"), ("n61",)]


@pytest.mark.parametrize(
    ("window", "text"),
    [(timedelta(days=1), "1d"), (timedelta(weeks=1), "7d"), (timedelta(minutes=90), "90m"),
     (timedelta(hours=24), "1d"), (timedelta(seconds=45), "45s")],
)  # fmt: skip
def test_windows_print_back_in_their_shortest_form(window: timedelta, text: str) -> None:
    assert format_window(window) == text
    assert parse_window(text) == window


def test_a_threshold_reads_as_a_sentence() -> None:
    threshold = Threshold(count=3, window=timedelta(days=7), per=ThresholdPer.EMPLOYEE)
    assert describe(threshold) == "3 in 7d per employee"


# -- the policy file ----------------------------------------------------------------------------


def one_rule(threshold: str) -> str:
    return f"policies:\n  - id: p\n    rules:\n      - detect: cpf\n        threshold: {threshold}\n"


def test_a_threshold_in_the_policy_file() -> None:
    [policy] = load_policies(one_rule("{count: 3, window: 24h, per: employee}"))
    assert policy.rules[0].threshold == Threshold(count=3, window=timedelta(hours=24), per=ThresholdPer.EMPLOYEE)
    [policy] = load_policies(one_rule("{count: 2, window: 7d}"))
    assert policy.rules[0].threshold == Threshold(count=2, window=timedelta(days=7), per=ThresholdPer.CONVERSATION)
    assert rule_thresholds([policy]) == {("p", "p#1"): policy.rules[0].threshold}


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("{count: 3, window: 24h, per: team}",
         "policies.yml:5: rule 1 of 'p': threshold 'per': unknown value 'team' (known: conversation, employee)"),
        ("{count: 3, window: 24 hours}", "policies.yml:5: rule 1 of 'p': threshold 'window': bad window '24 hours'"),
        ("{count: 3, window: 91d}", "policies.yml:5: rule 1 of 'p': threshold 'window': at most 90d"),
        ("{count: 1001, window: 1d}", "policies.yml:5: rule 1 of 'p': threshold 'count': at most 1000, got 1001"),
        ("{count: many, window: 1d}", "policies.yml:5: rule 1 of 'p': threshold 'count': expected a whole number >= 1"),
        ("{count: 3}", "policies.yml:5: rule 1 of 'p': 'threshold' needs 'count' and 'window'"),
        ("{count: 3, window: 1d, each: chat}", "policies.yml:5: rule 1 of 'p': 'threshold': unknown key 'each'"),
        ("3", "policies.yml:5: rule 1 of 'p': 'threshold': expected a mapping"),
    ],
)  # fmt: skip
def test_threshold_errors_name_the_line_and_the_field(threshold: str, message: str) -> None:
    with pytest.raises(PolicyError) as error:
        load_policies(one_rule(threshold), source="policies.yml")
    assert str(error.value).startswith(message)
