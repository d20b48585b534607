"""Capture gaps: when a line that should be talking goes quiet, or its gateway disconnects.

A compliance archive is only as good as what it did not miss. The worker checks every line
(`detect_gaps`, every few minutes):
1. A gateway that reported a disconnection (status disconnected or banned) opens a gap from the
   line's last event.
2. A connected line silent for two hours or more opens a gap when its own usual activity — the
   messages it had in the same hours of the week over the last four weeks — predicts at least
   five messages for the silent hours. A line quiet at night, or that is always quiet, opens none.
3. A gap closes when events arrive again, at the first message received after it; the console
   and `atalaia lines gaps` then show the period that may be missing, and importing a chat export
   of that period fills it (the import skips what is already archived).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaia.analytics import Period, Scope
from atalaia.analytics.buckets import hour_buckets
from atalaia.db.models import CaptureGap, Line, Message
from atalaia.domain.enums import LineStatus, Provider
from atalaia.services import audit

SILENCE: Final = timedelta(hours=2)  # shorter quiet spells are ordinary
HISTORY: Final = timedelta(days=28)  # the usual week is learnt from the last four
EXPECTED_AT_LEAST: Final = 5  # messages the usual week must predict for the quiet hours
MAX_WINDOW_HOURS: Final = 24 * 14  # beyond two weeks of silence the prediction adds nothing
DISCONNECTED: Final = frozenset({LineStatus.DISCONNECTED.value, LineStatus.BANNED.value})


@dataclass(slots=True)
class GapCheck:
    opened: list[int] = field(default_factory=list)  # line ids
    closed: list[int] = field(default_factory=list)


def detect_gaps(session: Session, *, now: datetime) -> GapCheck:
    """Open and close the gaps of every capturing line; uncommitted, audited."""
    result = GapCheck()
    open_gaps = {
        gap.line_id: gap for gap in session.execute(select(CaptureGap).where(CaptureGap.ended_at.is_(None))).scalars()
    }
    lines = session.execute(
        select(Line).where(
            Line.status != LineStatus.RETIRED.value,
            Line.status != LineStatus.PENDING.value,
            Line.provider != Provider.EXPORT.value,
        )
    ).scalars()
    for line in lines:
        gap = open_gaps.get(line.id)
        if gap is not None:
            if _close_if_resumed(session, gap, line):
                result.closed.append(line.id)
            continue
        reason, expected = _gap_reason(session, line, now=now)
        if reason is None:
            continue
        _open(session, line, reason=reason, expected=expected, now=now, actor="worker")
        result.opened.append(line.id)
    session.flush()
    return result


def open_on_disconnection(session: Session, line: Line, *, now: datetime) -> bool:
    """The gateway just said the line is disconnected or banned: open its gap now, not at the next
    check (uncommitted, audited); False when one is already open."""
    already = session.execute(
        select(CaptureGap.id).where(CaptureGap.line_id == line.id, CaptureGap.ended_at.is_(None))
    ).first()
    if already is not None:
        return False
    _open(session, line, reason="disconnected", expected=0, now=now, actor="gateway")
    return True


def _open(session: Session, line: Line, *, reason: str, expected: int, now: datetime, actor: str) -> None:
    since = line.last_event_at or now
    session.add(CaptureGap(tenant_id=line.tenant_id, line_id=line.id, reason=reason, started_at=since,
                           detected_at=now, expected_messages=expected))  # fmt: skip
    audit.record(session, tenant_id=line.tenant_id, actor=actor, action="capture_gap_opened", object_type="line",
                 object_id=line.id, detail={"reason": reason, "since": since.isoformat(),
                                            "expected_messages": expected})  # fmt: skip


def expected_messages(session: Session, line: Line, *, since: datetime, until: datetime) -> int:
    """What the line's last four weeks predict for [since, until): the mean of each hour of the week."""
    zone = ZoneInfo(line.timezone)
    history = Period(start=since - HISTORY, end=since, timezone=line.timezone)
    usual: dict[tuple[int, int], int] = {}
    for bucket in hour_buckets(session, Scope(tenant_id=line.tenant_id, line_ids=frozenset({line.id})), history):
        local = bucket.hour.astimezone(zone)
        key = (local.weekday(), local.hour)
        usual[key] = usual.get(key, 0) + bucket.count
    weeks = HISTORY / timedelta(weeks=1)
    total = 0.0
    hour = since.replace(minute=0, second=0, microsecond=0)
    for _ in range(MAX_WINDOW_HOURS):
        if hour >= until:
            break
        local = hour.astimezone(zone)
        total += usual.get((local.weekday(), local.hour), 0) / weeks
        hour += timedelta(hours=1)
    return int(total)


def _gap_reason(session: Session, line: Line, *, now: datetime) -> tuple[str | None, int]:
    if line.status in DISCONNECTED:
        return "disconnected", 0
    if line.last_event_at is None or now - line.last_event_at < SILENCE:
        return None, 0
    expected = expected_messages(session, line, since=line.last_event_at, until=now)
    return ("silence", expected) if expected >= EXPECTED_AT_LEAST else (None, 0)


def _close_if_resumed(session: Session, gap: CaptureGap, line: Line) -> bool:
    if line.status in DISCONNECTED or line.last_event_at is None or line.last_event_at <= gap.started_at:
        return False
    first = session.execute(
        select(func.min(Message.received_at)).where(Message.line_id == line.id, Message.received_at > gap.started_at)
    ).scalar_one()
    gap.ended_at = first or line.last_event_at
    audit.record(session, tenant_id=line.tenant_id, actor="worker", action="capture_gap_closed", object_type="line",
                 object_id=line.id, detail={"since": gap.started_at.isoformat(),
                                            "until": gap.ended_at.isoformat()})  # fmt: skip
    return True


@dataclass(frozen=True, slots=True)
class GapView:
    line: str
    reason: str
    started_at: datetime
    ended_at: datetime | None
    expected_messages: int


def list_gaps(session: Session, *, tenant_id: int, open_only: bool = False) -> list[GapView]:
    query = (
        select(CaptureGap, Line.number)
        .join(Line, Line.id == CaptureGap.line_id)
        .where(CaptureGap.tenant_id == tenant_id)
        .order_by(CaptureGap.started_at.desc())
    )
    if open_only:
        query = query.where(CaptureGap.ended_at.is_(None))
    return [
        GapView(number, gap.reason, gap.started_at, gap.ended_at, gap.expected_messages)
        for gap, number in session.execute(query)
    ]
