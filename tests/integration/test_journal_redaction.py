"""Erasure reaches the raw journal: a replay after `subject erase` brings nothing of the person back.

Maria writes under her phone, under the old 8-digit WhatsApp id and under her BSUID alone; one of
her bodies was journaled but never archived (a crash). João writes too, once about a number that
merely contains Maria's digits. An unauthenticated body naming Maria was rejected.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import JournalEntry, Message
from atalaia.errors import NotFound
from atalaia.journal import append_entry
from atalaia.services.governance import HoldTarget, add_hold, erase_subject
from atalaia.services.journal_replay import replay_journal
from atalaia.services.subject_export.identity import find_subject
from tests.conftest import ArchiveSetup
from tests.governance_story import Story
from tests.journal_bodies import BODIES, MARIA, MARIA_BSUID, MARIA_OLD, journal_story


@pytest.fixture
def journal(archive_setup: ArchiveSetup) -> dict[str, int]:
    return journal_story(archive_setup)


def erase(setup: ArchiveSetup) -> dict[str, Any]:
    return erase_subject(setup.runtime, tenant=setup.tenant, phone="+55 21 98888-7777", reason="pedido").as_dict()


def entry(setup: ArchiveSetup, entry_id: int) -> JournalEntry:
    with setup.runtime.sessions() as session:
        return session.get_one(JournalEntry, entry_id)


def texts(setup: ArchiveSetup) -> dict[str, str | None]:
    with setup.runtime.sessions() as session:
        return dict(session.execute(select(Message.provider_message_id, Message.text)).all())


def test_erasure_redacts_every_journal_body_naming_the_subject(
    archive_setup: ArchiveSetup, journal: dict[str, int]
) -> None:
    before = {name: entry(archive_setup, entry_id) for name, entry_id in journal.items()}

    result = erase(archive_setup)

    assert result["erased"] == 3  # M1, M2, M3 (M9 was never archived)
    assert result["journal_redacted"] == 5  # her four bodies and the rejected one
    assert result["journal_held"] == 0
    for name in ("maria", "maria_old", "maria_bsuid", "maria_crash", "rejected_maria"):
        old, now = before[name], entry(archive_setup, journal[name])
        assert now.redacted_at is not None, name
        assert "pedido nº" in (now.redacted_reason or "")
        assert (now.id, now.received_at, now.source, now.status) == (old.id, old.received_at, old.source, old.status)
        assert now.original_sha256 == hashlib.sha256(old.body).hexdigest()
        assert now.original_size == len(old.body)
        for trace in (MARIA.encode(), MARIA_OLD.encode(), MARIA_BSUID.encode(), b"cancelar", b"Maria"):
            assert trace not in now.body, (name, trace)
        assert json.loads(now.body)["original_sha256"] == now.original_sha256
    for name in ("joao", "joao_digits", "joao_crash"):  # João's, even the one with her digits inside a number
        now = entry(archive_setup, journal[name])
        assert (now.redacted_at, now.body) == (None, BODIES[name]), name


def test_a_replay_after_erasure_brings_back_nothing_of_the_subject_and_everything_of_others(
    archive_setup: ArchiveSetup, journal: dict[str, int]
) -> None:
    erase(archive_setup)

    report = replay_journal(archive_setup.runtime)

    assert (report.entries, report.redacted) == (3, 4)  # João's three; the rejected one is never replayed
    assert (report.new, report.duplicates, report.failed) == (1, 2, 0)  # J9 archived now
    archived = texts(archive_setup)
    assert archived["wamid.J9"] == "pregos também"
    assert archived["wamid.J1"] == "orçamento de parafusos"
    assert "wamid.M9" not in archived
    assert not any("cancelar" in (text or "") or "antigo" in (text or "") for text in archived.values())
    with archive_setup.runtime.sessions() as session, pytest.raises(NotFound):
        find_subject(session, tenant_id=archive_setup.tenant.id, query="+5521988887777")  # no contact came back
    assert set(report.redacted_reasons) == {next(iter(report.redacted_reasons))}  # one erasure, one reason
    assert Story(archive_setup).verify().ok


def test_a_journal_body_carrying_a_held_message_is_kept_whole(
    archive_setup: ArchiveSetup, journal: dict[str, int]
) -> None:
    with transaction(archive_setup.runtime.sessions) as session:
        add_hold(session, tenant=archive_setup.tenant, target=HoldTarget(query="cancelar"), reason="ação", owner="dpo")

    result = erase(archive_setup)

    assert result["status"] == "partial"
    assert (result["journal_redacted"], result["journal_held"]) == (4, 1)
    assert entry(archive_setup, journal["maria"]).body == BODIES["maria"]
    assert entry(archive_setup, journal["maria_old"]).redacted_at is not None


def test_a_hold_on_the_subject_keeps_the_journal_untouched(
    archive_setup: ArchiveSetup, journal: dict[str, int]
) -> None:
    with transaction(archive_setup.runtime.sessions) as session:
        add_hold(session, tenant=archive_setup.tenant, target=HoldTarget(phone="+5521988887777"), reason="ação",
                 owner="dpo")  # fmt: skip

    result = erase(archive_setup)

    assert (result["status"], result["journal_redacted"]) == ("refused", 0)
    for name, entry_id in journal.items():
        assert entry(archive_setup, entry_id).redacted_at is None, name


def test_a_hostile_body_cannot_hide_the_subject_or_break_the_sweep(
    archive_setup: ArchiveSetup, journal: dict[str, int]
) -> None:
    """NUL bytes, invalid UTF-8 and a huge body around her number are still found; not-JSON is fine."""
    hostile = b"\x00\xff\xfe" * 1000 + b'{"from":"' + MARIA.encode() + b'"}' + b"\x00" * 100_000
    with transaction(archive_setup.runtime.sessions) as session:
        hostile_id = append_entry(session, source="cloud", body=hostile, headers={})
        gateway_id = append_entry(session, source="evolution", body=b"{not json " + MARIA_OLD.encode(), headers={})

    result = erase(archive_setup)

    assert result["journal_redacted"] == 7
    for entry_id in (hostile_id, gateway_id):
        redacted = entry(archive_setup, entry_id)
        assert redacted.redacted_at is not None
        assert MARIA.encode() not in redacted.body
        assert MARIA_OLD.encode() not in redacted.body
