"""Thresholds: "alert after N hits within a window". Parsed into the Rule here, applied by the caller.

The engine sees one message at a time and cannot count; the alerting stage keeps the hit
times per conversation and rule and asks `threshold_fires`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from atalaia.domain.policy import Threshold

_WINDOW: Final = re.compile(r"\s*([0-9]+)\s*(s|m|h|d|w)\s*", re.IGNORECASE)
_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_window(text: str) -> timedelta:
    """`"30s"`, `"10m"`, `"2h"`, `"1d"`, `"1w"` -> timedelta; ValueError otherwise."""
    match = _WINDOW.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"bad window {text!r} (expected a number and a unit: 30s, 10m, 2h, 1d, 1w)")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


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
