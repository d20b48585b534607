"""Thresholds: "alert after N hits within a window". Parsed into the Rule here, applied by the caller.

The engine sees one message at a time and cannot count; the alerting stage keeps the hits
(recorded, but attached to no alert while below the threshold) and asks `plan_threshold` what
the new ones change. Everything here is pure, so the rules are tested without a database:
- a hit joins an open alert of its rule and subject when the alert's hits and it still fit in one
  window (`last - first <= window`): "later hits in the same window join that alert";
- otherwise it is pending; the pending hits are swept in time order, and the first stretch of
  `count` hits within one window fires: the new alert holds every pending hit from the stretch's
  first hit to one window after it (hits that arrived out of order included);
- hits attached to an alert (even a resolved one) never count again, so a burst of 12 with
  count 5 fires twice, not eight times, and a replayed message (its hits already stored) adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Generic, TypeVar

from atalaia.domain.policy import Policy, Threshold

_WINDOW: Final = re.compile(r"\s*([0-9]+)\s*(s|m|h|d|w)\s*", re.IGNORECASE)
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_WINDOW: Final = timedelta(days=90)  # the alerting stage reads a rule's hits one window each side
MAX_COUNT: Final = 1000

K = TypeVar("K")  # how the caller names a hit (a row id, a position in its batch); opaque here


def parse_window(text: str) -> timedelta:
    """`"30s"`, `"10m"`, `"2h"`, `"1d"`, `"1w"` -> timedelta; ValueError otherwise."""
    match = _WINDOW.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"bad window {text!r} (expected a number and a unit: 30s, 10m, 2h, 1d, 1w)")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def format_window(window: timedelta) -> str:
    """The shortest spelling `parse_window` reads back: 1 day is "1d", 90 minutes "90m"."""
    seconds = int(window.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def describe(threshold: Threshold) -> str:
    return f"{threshold.count} in {format_window(threshold.window)} per {threshold.per.value}"


def rule_thresholds(policies: Iterable[Policy]) -> dict[tuple[str, str], Threshold]:
    """(policy id, rule id) -> threshold, for the rules that have one."""
    found: dict[tuple[str, str], Threshold] = {}
    for policy in policies:
        for rule in policy.rules:
            if rule.threshold is not None:
                found[policy.id, rule.id] = rule.threshold
    return found


def firing_times(times: Iterable[datetime], threshold: Threshold) -> list[datetime]:
    """The hit times at which the threshold is reached: `count` hits within `window`, inclusive.

    Sorted two-pointer sweep; after the threshold fires it needs `count` new hits to fire again,
    so a burst of 12 hits with count 5 fires twice, not eight times.
    """
    ordered = sorted(times)
    fired: list[datetime] = []
    left = 0
    for right, moment in enumerate(ordered):
        while moment - ordered[left] > threshold.window:
            left += 1
        if right - left + 1 >= threshold.count:
            fired.append(moment)
            left = right + 1
    return fired


def threshold_fires(times: Iterable[datetime], threshold: Threshold) -> bool:
    return bool(firing_times(times, threshold))


@dataclass(frozen=True, slots=True)
class Timed(Generic[K]):
    at: datetime  # when the message was sent
    key: K


@dataclass(slots=True)
class OpenAlert:
    """An alert of the rule and subject that still takes hits (not resolved), with its hits' span."""

    id: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class Fired(Generic[K]):
    members: tuple[K, ...]  # every hit the new alert takes, in time order
    trigger: K  # the hit that made the count (in time order, whatever the arrival order)
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class ThresholdPlan(Generic[K]):
    joined: dict[K, int]  # new hit -> the open alert it joins
    fired: list[Fired[K]]  # new alerts; new hits in neither stay pending


def plan_threshold(
    threshold: Threshold,
    *,
    new: Sequence[Timed[K]],
    pending: Sequence[Timed[K]] = (),
    open_alerts: Sequence[OpenAlert] = (),
) -> ThresholdPlan[K]:
    """What the `new` hits of one rule and subject do, given its `pending` hits and `open_alerts`.

    Equal times keep the order given (pending first, then new), so a plan is deterministic.
    """
    window = threshold.window
    alerts = sorted((OpenAlert(a.id, a.first, a.last) for a in open_alerts), key=lambda alert: alert.first)
    joined: dict[K, int] = {}
    waiting = list(pending)
    for hit in sorted(new, key=_at):
        for alert in alerts:
            first, last = min(alert.first, hit.at), max(alert.last, hit.at)
            if last - first <= window:
                alert.first, alert.last = first, last
                joined[hit.key] = alert.id
                break
        else:
            waiting.append(hit)
    return ThresholdPlan(joined=joined, fired=_sweep(sorted(waiting, key=_at), threshold))


def _sweep(items: list[Timed[K]], threshold: Threshold) -> list[Fired[K]]:
    fired: list[Fired[K]] = []
    size = len(items)
    left = right = 0
    while right < size:
        while items[right].at - items[left].at > threshold.window:
            left += 1
        if right - left + 1 < threshold.count:
            right += 1
            continue
        anchor = items[left].at
        end = right + 1
        while end < size and items[end].at - anchor <= threshold.window:
            end += 1
        members = items[left:end]
        fired.append(Fired(tuple(m.key for m in members), items[right].key, anchor, members[-1].at))
        left = right = end
    return fired


def _at(item: Timed[K]) -> datetime:
    return item.at
