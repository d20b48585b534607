"""Rollups equal a full recomputation from the archive, whatever happens to the messages.

Property-style with fixed seeds: random batches of new messages (every kind, both directions,
one-to-one and group chats, two lines), duplicates, edits, deletions for everyone, a chat key
re-sent as the other chat kind, then a retention purge and a subject erasure. After each step the
rollup table must equal the GROUP BY over the messages, and `hour_buckets` (rollups plus edge
hours) must equal `scan_hour_buckets` (the archive) for periods and employee spans cut mid-hour.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, func, select

from atalaia.analytics import Period, Scope, Span
from atalaia.analytics.buckets import HourBucket, edge_hours, hour_buckets, scan_hour_buckets
from atalaia.archive import archive_events
from atalaia.archive.rollups import rebuild_line
from atalaia.db.engine import transaction
from atalaia.db.migrate import downgrade, upgrade
from atalaia.db.models import Line, Message, MessageRollup
from atalaia.domain.enums import ConversationKind, Direction, MessageKind
from atalaia.domain.events import ArchiveEvent, ContactRef, ConversationRef, EditEvent, MessageEvent, RevokeEvent
from atalaia.runtime import Runtime
from atalaia.services.governance import erase_subject, run_retention, set_rule
from atalaia.services.lines import add_line
from tests.conftest import ArchiveSetup

START = datetime(2024, 5, 1, tzinfo=UTC)
DAYS = 12
NOW = START + timedelta(days=DAYS + 3)
CONTACTS = [
    ContactRef(key=f"wa:55219888800{n:02d}", wa_id=f"55219888800{n:02d}", phone=f"+55219888800{n:02d}", name=f"C{n}")
    for n in range(6)
]
WHOLE = Period(START - timedelta(days=400), NOW + timedelta(days=400), "UTC")
Key = tuple[int, datetime, str, str, str]


def tally(buckets: list[HourBucket]) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for b in buckets:
        counts[(b.line_id, b.hour, b.direction, b.message_kind, b.conversation_kind)] += b.count
    return +counts  # zeros dropped


def stored(runtime: Runtime, tenant_id: int) -> Counter[Key]:
    with runtime.sessions() as session:
        rows = session.execute(select(MessageRollup).where(MessageRollup.tenant_id == tenant_id)).scalars().all()
        assert all(r.count > 0 for r in rows), "no empty or negative rollup rows are left behind"
        return Counter({(r.line_id, r.hour, r.direction, r.message_kind, r.conversation_kind): r.count for r in rows})


def recomputed(runtime: Runtime, tenant_id: int) -> Counter[Key]:
    with runtime.sessions() as session:
        return tally(list(scan_hour_buckets(session, Scope(tenant_id=tenant_id), WHOLE)))


class Traffic:
    """Random events over two lines; remembers what was sent so it can repeat, edit and revoke it."""

    def __init__(self, seed: int, lines: list[int]) -> None:
        self.rng = random.Random(seed)
        self.lines = lines
        self.sent: list[tuple[int, MessageEvent]] = []
        self.serial = 0

    def batch(self) -> dict[int, list[ArchiveEvent]]:
        events: dict[int, list[ArchiveEvent]] = {line: [] for line in self.lines}
        for _ in range(self.rng.randint(1, 40)):
            roll = self.rng.random()
            if self.sent and roll < 0.15:  # a duplicate, maybe with other facts: the first stored wins
                line, old = self.rng.choice(self.sent)
                events[line].append(self._message(old.provider_message_id, line))
            elif self.sent and roll < 0.25:
                line, old = self.rng.choice(self.sent)
                when = old.sent_at + timedelta(minutes=5)
                if self.rng.random() < 0.5:
                    events[line].append(EditEvent(old.provider_message_id, old.conversation, "editado", when))
                else:
                    events[line].append(RevokeEvent(old.provider_message_id, old.conversation, when, by_line=True))
            else:
                self.serial += 1
                line = self.rng.choice(self.lines)
                event = self._message(f"wamid.{self.serial}", line)
                self.sent.append((line, event))
                events[line].append(event)
        return events

    def _message(self, provider_id: str, line: int) -> MessageEvent:
        rng = self.rng
        contact = rng.choice(CONTACTS)
        if rng.random() < 0.25:
            kind = ConversationKind.GROUP if rng.random() < 0.9 else ConversationKind.DIRECT  # hostile: kind flips
            conversation = ConversationRef(key=f"group:{rng.randint(1, 3)}@g.us", kind=kind, subject="Equipe")
        else:
            conversation = ConversationRef(key=contact.key, kind=ConversationKind.DIRECT, contact=contact)
        direction = rng.choice([Direction.INBOUND, Direction.OUTBOUND])
        return MessageEvent(
            provider_message_id=provider_id,
            conversation=conversation,
            direction=direction,
            kind=rng.choice(list(MessageKind)),
            sent_at=START + timedelta(seconds=rng.randint(0, DAYS * 86400)),
            text="oi",
            author=contact if direction is Direction.INBOUND else None,
        )


def second_line(setup: ArchiveSetup) -> int:
    with transaction(setup.runtime.sessions) as session:
        created = add_line(session, tenant_id=setup.tenant.id, number="+55 11 98888-0000", provider="cloud",
                           phone_number_id="2222", team="Suporte", timezone="America/Manaus")  # fmt: skip
        return created.line.id


def archive(setup: ArchiveSetup, events: dict[int, list[ArchiveEvent]]) -> None:
    for line_id, batch in events.items():
        if batch:
            with transaction(setup.runtime.sessions) as session:
                archive_events(session, setup.runtime.archive_context(setup.tenant, line_id=line_id), batch)


@pytest.mark.parametrize("seed", [3, 11])
def test_rollups_equal_a_recomputation_through_inserts_edits_purges_and_erasures(
    archive_setup: ArchiveSetup, seed: int
) -> None:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    traffic = Traffic(seed, [archive_setup.line.id, second_line(archive_setup)])
    for _ in range(12):
        archive(archive_setup, traffic.batch())
        assert stored(runtime, tenant.id) == recomputed(runtime, tenant.id)
    before = sum(stored(runtime, tenant.id).values())
    assert before > 100  # the property was exercised on real volume, system lines left out
    with runtime.sessions() as session:
        system = session.execute(select(func.count()).where(Message.kind == MessageKind.SYSTEM.value)).scalar_one()
        assert before == session.execute(select(func.count()).select_from(Message)).scalar_one() - system

    with transaction(runtime.sessions) as session:  # a purge takes the older half
        set_rule(session, tenant_id=tenant.id, keep_days=9, actor="dpo@exemplo.com.br", now=NOW)
    purged = run_retention(runtime, tenant=tenant, now=NOW, batch_size=17).purged
    after_purge = stored(runtime, tenant.id)
    assert purged > 0
    assert sum(after_purge.values()) < before
    assert after_purge == recomputed(runtime, tenant.id)

    erased = erase_subject(runtime, tenant=tenant, phone=CONTACTS[0].phone or "", reason="pedido do titular")
    assert erased.erased > 0  # rewritten, not deleted: still counted
    assert stored(runtime, tenant.id) == recomputed(runtime, tenant.id) == after_purge

    archive(archive_setup, traffic.batch())  # and ingestion goes on counting after both
    assert stored(runtime, tenant.id) == recomputed(runtime, tenant.id)


def test_hour_buckets_equal_the_scan_for_periods_and_spans_cut_mid_hour(archive_setup: ArchiveSetup) -> None:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    lines = [archive_setup.line.id, second_line(archive_setup)]
    traffic = Traffic(5, lines)
    for _ in range(6):
        archive(archive_setup, traffic.batch())
    rng = random.Random(99)
    checked = 0
    with runtime.sessions() as session:
        for _ in range(40):
            start = START + timedelta(minutes=rng.randint(-600, DAYS * 1440))
            period = Period(start, start + timedelta(minutes=rng.randint(1, 4 * 1440)), "UTC")
            cut = start + timedelta(minutes=rng.randint(0, 3 * 1440))
            spans = (Span(lines[0], None, cut), Span(lines[1], cut + timedelta(seconds=rng.randint(0, 7200)), None))
            for scope in (Scope(tenant.id), Scope(tenant.id, line_ids=frozenset(lines), spans=spans),
                          Scope(tenant.id, line_ids=frozenset(lines[:1])), Scope(tenant.id, spans=())):  # fmt: skip
                expected = tally(list(scan_hour_buckets(session, scope, period)))
                assert tally(list(hour_buckets(session, scope, period))) == expected
                checked += sum(expected.values())
    assert checked > 1000


def test_edge_hours_are_only_the_hours_cut_inside_the_period() -> None:
    at = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    aligned = Period(at, at + timedelta(days=1), "UTC")
    assert edge_hours(Scope(1), aligned) == []
    cut = Period(at + timedelta(minutes=30), at + timedelta(hours=5, seconds=1), "UTC")
    assert edge_hours(Scope(1), cut) == [at, at + timedelta(hours=5)]
    spans = (Span(1, at - timedelta(minutes=1), at + timedelta(hours=2, minutes=15)), Span(2, None, None))
    assert edge_hours(Scope(1, spans=spans), aligned) == [at + timedelta(hours=2)]  # the one before starts outside


def test_rebuild_repairs_tampered_rollups_from_the_messages(archive_setup: ArchiveSetup) -> None:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    lines = [archive_setup.line.id, second_line(archive_setup)]
    traffic = Traffic(8, lines)
    for _ in range(4):
        archive(archive_setup, traffic.batch())
    good = stored(runtime, tenant.id)
    with transaction(runtime.sessions) as session:
        session.execute(delete(MessageRollup).where(MessageRollup.line_id == lines[0]))
        session.execute(MessageRollup.__table__.update().values(count=MessageRollup.count + 7))
    assert stored(runtime, tenant.id) != good
    since = START + timedelta(days=6, minutes=30)
    with transaction(runtime.sessions) as session:  # from a date on: older hours are left as they are
        rebuild_line(session, lines[1], since)
    partly = stored(runtime, tenant.id)
    assert all(partly[k] == good[k] for k in good if k[0] == lines[1] and k[1] >= since - timedelta(minutes=30))
    assert any(partly[k] == good[k] + 7 for k in good if k[0] == lines[1] and k[1] < since)
    with transaction(runtime.sessions) as session:
        counted = sum(rebuild_line(session, line) for line in lines)
    assert stored(runtime, tenant.id) == good
    assert counted == sum(good.values())


def test_the_migration_fills_rollups_from_messages_already_archived(archive_setup: ArchiveSetup) -> None:
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    archive(archive_setup, Traffic(21, [archive_setup.line.id]).batch())
    good = stored(runtime, tenant.id)
    assert good
    engine = create_engine(runtime.settings.database_url)
    try:
        downgrade(engine, "0015")
        upgrade(engine)
    finally:
        engine.dispose()
    assert stored(runtime, tenant.id) == good == recomputed(runtime, tenant.id)
    with runtime.sessions() as session:
        assert session.execute(select(func.count()).select_from(Line)).scalar_one() == 1
