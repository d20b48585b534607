"""Median and 90th percentile of durations, the way PostgreSQL's `percentile_cont` computes them.

Linear interpolation between the closest ranks: the median of an even count is the mean of the
two middle values, and a later rollup on PostgreSQL can ask the database for the same figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import floor

DECIMALS = 1


def percentile(ordered: list[float], fraction: float) -> float | None:
    """`percentile_cont(fraction)` of already sorted values; None when there are none."""
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low = floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Iterable[float]) -> dict[str, float | None]:
    """`{"median": S, "p90": S}` in seconds, rounded to a tenth; nulls for no values."""
    ordered = sorted(values)
    return {key: _rounded(percentile(ordered, fraction)) for key, fraction in (("median", 0.5), ("p90", 0.9))}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)
