"""Retention reaches the raw journal: bodies past a line's longest rule become tombstones, unless held.

The journal story's five archived bodies are on the line; the two `crash` bodies and the rejected
one were never routed to a line, so no line's rule covers them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from atalaia.db.engine import transaction
from atalaia.db.models import JournalEntry
from atalaia.services.governance import HoldTarget, add_hold, run_retention, set_rule
from atalaia.services.journal_replay import replay_journal
from tests.conftest import ArchiveSetup
from tests.governance_story import Story
from tests.journal_bodies import BODIES, journal_story

LATER = datetime.now(UTC) + timedelta(days=60)  # the bodies were received today


@pytest.fixture
def journal(archive_setup: ArchiveSetup) -> dict[str, int]:
    return journal_story(archive_setup)


def rule(setup: ArchiveSetup, days: int, kind: str = "all") -> None:
    with transaction(setup.runtime.sessions) as session:
        set_rule(session, tenant_id=setup.tenant.id, keep_days=days, kind=kind, actor="dpo")


def purge(setup: ArchiveSetup, **kwargs: Any) -> dict[str, Any]:
    return run_retention(setup.runtime, tenant=setup.tenant, now=LATER, **kwargs).as_dict()


def redacted(setup: ArchiveSetup) -> dict[int, bytes]:
    with setup.runtime.sessions() as session:
        rows = session.execute(select(JournalEntry.id, JournalEntry.body).where(JournalEntry.redacted_at.is_not(None)))
        return {int(entry_id): bytes(body) for entry_id, body in rows}


def test_bodies_older_than_the_longest_rule_become_tombstones_except_held_ones(
    archive_setup: ArchiveSetup, journal: dict[str, int]
) -> None:
    rule(archive_setup, 30)
    rule(archive_setup, 45, kind="text")  # the longest rule on the line decides for its bodies
    with transaction(archive_setup.runtime.sessions) as session:
        add_hold(session, tenant=archive_setup.tenant, target=HoldTarget(query="parafusos"), reason="ação",
                 owner="dpo", now=LATER - timedelta(days=1))  # fmt: skip

    report = purge(archive_setup)

    assert (report["purged"], report["held"]) == (4, 1)
    assert (report["journal_redacted"], report["journal_held"]) == (4, 1)
    gone = redacted(archive_setup)
    assert set(gone) == {journal[n] for n in ("maria", "maria_old", "maria_bsuid", "joao_digits")}
    assert all(b"45 dias" in body for body in gone.values())
    with archive_setup.runtime.sessions() as session:
        kept = session.get_one(JournalEntry, journal["joao"])
    assert kept.body == BODIES["joao"]  # it carries the held message
    assert Story(archive_setup).verify().ok
    replay = replay_journal(archive_setup.runtime)
    assert (replay.redacted, replay.entries) == (4, 3)  # the held body and the two never archived
    assert replay.new == 2  # the crash bodies, which no rule had reached: only their own line's rule could


def test_a_line_keeping_some_kind_for_ever_keeps_its_journal(
    archive_setup: ArchiveSetup, journal: dict[str, int]
) -> None:
    rule(archive_setup, 30, kind="text")  # images, audio... have no rule: kept for ever

    report = purge(archive_setup)

    assert report["purged"] == 5
    assert report["journal_redacted"] == 0
    assert redacted(archive_setup) == {}


def test_bodies_younger_than_the_rule_stay(archive_setup: ArchiveSetup, journal: dict[str, int]) -> None:
    rule(archive_setup, 90)

    report = purge(archive_setup)

    assert report["journal_redacted"] == 0
    assert report["purged"] == 5  # the messages were sent in 2024; the bodies arrived today


def test_a_dry_run_counts_the_journal_and_changes_nothing(archive_setup: ArchiveSetup, journal: dict[str, int]) -> None:
    rule(archive_setup, 30)

    dry = purge(archive_setup, dry_run=True)

    assert (dry["journal_redacted"], dry["journal_held"]) == (5, 0)
    assert redacted(archive_setup) == {}
    real = purge(archive_setup, batch_size=2)  # and in batches smaller than the work
    assert (real["journal_redacted"], real["journal_held"]) == (5, 0)
    with archive_setup.runtime.sessions() as session:
        left = session.execute(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.redacted_at.is_(None))
        ).scalar_one()
    assert left == 3
    assert purge(archive_setup)["journal_redacted"] == 0  # nothing twice
