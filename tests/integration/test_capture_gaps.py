"""Capture gaps: a line that goes quiet when it is usually busy, or whose gateway disconnects,
gets a gap that closes when messages flow again.

Story: Bruno's sales line is busy on weekday late mornings. On a Wednesday it stops at 09:00 and
nothing arrives until after noon: the worker opens a gap. The same quiet at 03:00 opens nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import CaptureGap, Line
from atalaia.services.capture_gaps import detect_gaps, expected_messages, list_gaps
from atalaia.services.lines import add_line, line_overview
from tests.conftest import ArchiveSetup
from tests.factories import T0, inbound

WEDNESDAY_NOON = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 12:00 in São Paulo


def busy_history(setup: ArchiveSetup) -> None:
    """Four weeks of weekday mornings, 09:00-12:00 local, four messages an hour."""
    events = []
    for week in range(1, 5):
        for hour in (12, 13, 14):  # UTC: 09, 10, 11 in São Paulo
            for n in range(4):
                at = WEDNESDAY_NOON - timedelta(weeks=week) - timedelta(hours=15 - hour) + timedelta(minutes=10 * n)
                minutes = int((at - T0).total_seconds() // 60)
                events.append(inbound(f"wamid.H{week}{hour}{n}", "bom dia", minutes=minutes))
    setup.archive(events)
    with transaction(setup.runtime.sessions) as session:
        session.execute(update(Line).where(Line.id == setup.line.id).values(status="connected"))


def quiet_since(setup: ArchiveSetup, moment: datetime) -> None:
    with transaction(setup.runtime.sessions) as session:
        session.execute(update(Line).where(Line.id == setup.line.id).values(last_event_at=moment))


def check(setup: ArchiveSetup, now: datetime) -> tuple[list[int], list[int]]:
    with transaction(setup.runtime.sessions) as session:
        found = detect_gaps(session, now=now)
    return found.opened, found.closed


def test_usual_activity_predicts_the_quiet_hours(archive_setup: ArchiveSetup) -> None:
    busy_history(archive_setup)
    with archive_setup.runtime.sessions() as session:
        line = session.get(Line, archive_setup.line.id)
        assert line is not None
        morning = expected_messages(session, line, since=WEDNESDAY_NOON - timedelta(hours=3), until=WEDNESDAY_NOON)
        night = expected_messages(session, line, since=WEDNESDAY_NOON + timedelta(hours=12),
                                  until=WEDNESDAY_NOON + timedelta(hours=15))  # fmt: skip
    assert morning == 12  # 09, 10 and 11 o'clock: four a week each
    assert night == 0


def test_a_busy_line_gone_quiet_opens_one_gap_that_closes_when_messages_return(archive_setup: ArchiveSetup) -> None:
    busy_history(archive_setup)
    quiet_since(archive_setup, WEDNESDAY_NOON - timedelta(hours=3))

    assert check(archive_setup, WEDNESDAY_NOON) == ([archive_setup.line.id], [])
    assert check(archive_setup, WEDNESDAY_NOON + timedelta(minutes=5)) == ([], [])  # not twice
    with archive_setup.runtime.sessions() as session:
        (overview,) = line_overview(session, tenant_id=archive_setup.tenant.id)
    assert overview.gap_since == WEDNESDAY_NOON - timedelta(hours=3)
    assert overview.gap_reason == "silence"

    archive_setup.archive([inbound("wamid.BACK", "voltei")])  # events flow again (received now)
    _, closed = check(archive_setup, datetime.now(UTC))

    assert closed == [archive_setup.line.id]
    with archive_setup.runtime.sessions() as session:
        (gap,) = list_gaps(session, tenant_id=archive_setup.tenant.id)
    assert gap.ended_at is not None
    assert gap.ended_at > gap.started_at
    assert gap.expected_messages >= 5


def test_quiet_nights_quiet_lines_and_lines_that_do_not_capture_open_nothing(archive_setup: ArchiveSetup) -> None:
    busy_history(archive_setup)
    night = WEDNESDAY_NOON + timedelta(hours=15)  # 03:00 local on Thursday
    quiet_since(archive_setup, night - timedelta(hours=5))
    with transaction(archive_setup.runtime.sessions) as session:
        for number, provider, status in [("+5511900000001", "export", "connected"),
                                         ("+5511900000002", "cloud", "pending")]:  # fmt: skip
            created = add_line(session, tenant_id=archive_setup.tenant.id, number=number, provider=provider,
                               phone_number_id=number[-4:] if provider == "cloud" else None)  # fmt: skip
            created.line.status = status
            created.line.last_event_at = night - timedelta(days=3)

    assert check(archive_setup, night) == ([], [])


def test_a_disconnected_gateway_opens_a_gap_at_once(archive_setup: ArchiveSetup) -> None:
    moment = datetime.now(UTC) - timedelta(minutes=10)
    with transaction(archive_setup.runtime.sessions) as session:
        session.execute(update(Line).values(status="disconnected", last_event_at=moment))

    opened, _ = check(archive_setup, datetime.now(UTC))
    reconnected_but_silent = check(archive_setup, datetime.now(UTC))

    assert opened == [archive_setup.line.id]
    assert reconnected_but_silent == ([], [])  # still disconnected: the gap stays open
    with archive_setup.runtime.sessions() as session:
        (gap,) = list_gaps(session, tenant_id=archive_setup.tenant.id, open_only=True)
        assert session.execute(select(CaptureGap.reason)).scalar_one() == "disconnected"
    assert (gap.line, gap.ended_at) == (archive_setup.line.number, None)
    assert abs((gap.started_at - moment).total_seconds()) < 1
