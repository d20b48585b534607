"""Volumes, media, groups, the weekday-by-hour heat map and after-hours share, folded from hour buckets.

Pure: the buckets come from the rollups or the archive (`buckets.hour_buckets`, `scan_hour_buckets`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from atalaia.analytics.buckets import HourBucket
from atalaia.analytics.hours import HoursFor, is_after_hours
from atalaia.domain.enums import Direction, MessageKind
from atalaia.policies.detectors.hours import local_time

MEDIA_KINDS: Final = frozenset(
    k.value for k in (MessageKind.IMAGE, MessageKind.AUDIO, MessageKind.VIDEO, MessageKind.DOCUMENT,
                      MessageKind.STICKER, MessageKind.MEDIA)
)  # fmt: skip
SHARE_DECIMALS: Final = 4


@dataclass(slots=True)
class Volumes:
    messages_in: int = 0
    messages_out: int = 0
    after_hours: int = 0
    by_hour: Counter[tuple[int, int]] = field(default_factory=Counter)  # (weekday 0=Monday, local hour)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_conversation_kind: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.messages_in + self.messages_out

    @property
    def media(self) -> int:
        return sum(n for kind, n in self.by_kind.items() if kind in MEDIA_KINDS)

    def after_hours_share(self) -> float:
        return share(self.after_hours, self.total)

    def heat_map(self) -> list[list[int]]:
        """`[[weekday, hour, N], ...]` for the non-empty cells, Monday 00h first."""
        return [[weekday, hour, n] for (weekday, hour), n in sorted(self.by_hour.items()) if n]


def fold_buckets(buckets: Iterable[HourBucket], hours_for: HoursFor) -> Volumes:
    """Each bucket lands in its line's local weekday and hour; its after-hours verdict is its hour's start."""
    volumes = Volumes()
    cells: dict[tuple[int, datetime], tuple[tuple[int, int], bool]] = {}  # rows of one line-hour share a verdict
    for bucket in buckets:
        key = (bucket.line_id, bucket.hour)
        if key not in cells:
            options = hours_for(bucket.line_id)
            local = local_time(bucket.hour, options.timezone)
            cells[key] = ((local.weekday(), local.hour), is_after_hours(bucket.hour, options))
        cell, after = cells[key]
        if bucket.direction == Direction.INBOUND.value:
            volumes.messages_in += bucket.count
        else:
            volumes.messages_out += bucket.count
        volumes.by_hour[cell] += bucket.count
        volumes.by_kind[bucket.message_kind] += bucket.count
        volumes.by_conversation_kind[bucket.conversation_kind] += bucket.count
        if after:
            volumes.after_hours += bucket.count
    return volumes


def share(part: int, whole: int) -> float:
    return round(part / whole, SHARE_DECIMALS) if whole else 0.0
