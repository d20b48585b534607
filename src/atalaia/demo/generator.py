"""Deterministic demo traffic: the events the archive would receive from the demo company's lines.

Public face (re-exported by `atalaia.demo`):

- `build_plan(*, seed) -> DemoPlan`: the company, teams, lines, people, groups and campaigns.
- `iter_events(plan, *, seed, messages, days=90, end) -> Iterator[tuple[DemoLine, ArchiveEvent]]`:
  every line's events merged into one stream in time order (ties: line index, then creation
  order), lazily, over the `days` days that end with `end` (inclusive, in each line's zone).
  Exactly `messages` `MessageEvent`s, plus the edits, deletions, reactions and statuses that
  follow them; each follow-up comes after the message it names.
- `iter_line_events(plan, line, *, seed, messages, days=90, end)`: the same events of one line
  only, without generating the others (e.g. to load lines in parallel).
- `iter_line_batches(plan, *, seed, messages, days=90, end, size=500)`: the merged stream cut
  into per-line lists of at most `size` events, ready for `archive_events`; within a line the
  batches keep the stream's order.

Determinism: the same arguments give the same events, byte for byte, in any process. Every
random draw comes from a `random.Random` seeded with a string (hashed with SHA-512 by the
standard library, not by `hash()`), no set or dict order is ever relied on, and timestamps
derive from `end`, never from the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from atalaia.demo import timeline
from atalaia.demo.plan import DemoLine, DemoPlan
from atalaia.demo.traffic import Traffic
from atalaia.domain.events import ArchiveEvent


def line_totals(plan: DemoPlan, *, messages: int) -> list[int]:
    """How many messages each line carries: `messages` split by the lines' weights, exactly."""
    return timeline.split_quota(messages, [line.weight for line in plan.lines])


def _traffic(plan: DemoPlan, lines: list[tuple[DemoLine, int]], *, seed: int, days: int, end: date) -> Traffic:
    return Traffic(plan, lines, seed=seed, first=end - timedelta(days=days - 1), days=days)


def _check(*, messages: int, days: int) -> None:
    if messages < 0:
        raise ValueError(f"messages must be >= 0, not {messages}")
    if days < 1:
        raise ValueError(f"days must be >= 1, not {days}")


def iter_events(
    plan: DemoPlan, *, seed: int, messages: int, days: int = 90, end: date
) -> Iterator[tuple[DemoLine, ArchiveEvent]]:
    """All lines' events in time order; see the module docstring."""
    _check(messages=messages, days=days)
    totals = line_totals(plan, messages=messages)
    lines = plan.lines
    traffic = _traffic(plan, list(zip(lines, totals, strict=True)), seed=seed, days=days, end=end)
    for _at, index, _seq, event in traffic:
        yield lines[index], event


def iter_line_events(
    plan: DemoPlan, line: DemoLine, *, seed: int, messages: int, days: int = 90, end: date
) -> Iterator[ArchiveEvent]:
    """One line's share of `iter_events`, identical to filtering it, at a twelfth of the work."""
    _check(messages=messages, days=days)
    total = line_totals(plan, messages=messages)[line.index]
    for _at, _index, _seq, event in _traffic(plan, [(line, total)], seed=seed, days=days, end=end):
        yield event


def iter_line_batches(
    plan: DemoPlan, *, seed: int, messages: int, days: int = 90, end: date, size: int = 500
) -> Iterator[tuple[DemoLine, list[ArchiveEvent]]]:
    """`iter_events` grouped into per-line batches of at most `size`; holds at most one batch per line."""
    if size < 1:
        raise ValueError(f"size must be >= 1, not {size}")
    buffers: list[list[ArchiveEvent]] = [[] for _ in plan.lines]
    for line, event in iter_events(plan, seed=seed, messages=messages, days=days, end=end):
        buffer = buffers[line.index]
        buffer.append(event)
        if len(buffer) >= size:
            yield line, buffer
            buffers[line.index] = []
    for line, buffer in zip(plan.lines, buffers, strict=True):
        if buffer:
            yield line, buffer
