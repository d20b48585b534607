"""Shared by the demo tests: the generated month, and helpers to read events."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from atalaia.demo import DemoLine, DemoPlan, build_plan, iter_events
from atalaia.domain.events import ArchiveEvent, EditEvent, MessageEvent, ReactionEvent, RevokeEvent

SEED = 2024
MESSAGES = 6_000
DAYS = 45
END = date(2024, 6, 28)  # a Friday; the window covers Corpus Christi (30 May 2024)


@dataclass(frozen=True, slots=True)
class Run:
    plan: DemoPlan
    events: list[tuple[DemoLine, ArchiveEvent]]

    @property
    def messages(self) -> list[tuple[DemoLine, MessageEvent]]:
        return [(line, e) for line, e in self.events if isinstance(e, MessageEvent)]


def moment(event: ArchiveEvent) -> datetime:
    if isinstance(event, MessageEvent):
        return event.sent_at
    if isinstance(event, EditEvent):
        return event.edited_at
    if isinstance(event, RevokeEvent):
        return event.revoked_at
    if isinstance(event, ReactionEvent):
        return event.reacted_at
    return event.at


def small_run(seed: int) -> list[tuple[int, ArchiveEvent]]:
    plan = build_plan(seed=seed)
    return [(line.index, e) for line, e in iter_events(plan, seed=seed, messages=800, days=10, end=date(2024, 3, 8))]


def digest(events: list[tuple[int, ArchiveEvent]]) -> str:
    """SHA-256 over every field, media bytes included: equal digests mean identical output."""
    h = hashlib.sha256()
    for index, event in events:
        h.update(f"{index}|{event!r}".encode())
        if isinstance(event, MessageEvent):
            for attachment in event.attachments:
                h.update(attachment.content or b"")
    return h.hexdigest()
