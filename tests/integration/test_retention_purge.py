"""Retention purges: by rule and kind, never what is held, resumable, and `verify` still sound."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from atalaia.db.engine import transaction
from atalaia.errors import InvalidInput
from atalaia.jobs.queue import ClaimedJob
from atalaia.services.governance import HoldTarget, add_hold, release_hold, run_retention, set_rule
from atalaia.services.governance import purge as purge_module
from atalaia.services.governance.blob_cleanup import KIND, delete_blob_job
from atalaia.services.governance.retention_rules import parse_keep
from tests.conftest import ArchiveSetup
from tests.governance_story import PDF_SHA, RECENT, Story, tell

NOW = RECENT + timedelta(days=5)  # the old messages are 45 days old, the recent ones 5


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    return tell(archive_setup)


def rule(story: Story, keep: str, **kwargs: Any) -> None:
    with transaction(story.setup.runtime.sessions) as session:
        set_rule(session, tenant_id=story.tenant_id, keep_days=parse_keep(keep), actor="dpo@exemplo.com.br", **kwargs)


def hold(story: Story, **target: Any) -> int:
    with transaction(story.setup.runtime.sessions) as session:
        return add_hold(
            session,
            tenant=story.setup.tenant,
            target=HoldTarget(**target),
            reason="processo 123",
            owner="dpo",
            now=NOW - timedelta(days=1),
        ).id


def purge(story: Story, **kwargs: Any) -> dict[str, Any]:
    return run_retention(story.setup.runtime, tenant=story.setup.tenant, now=NOW, **kwargs).as_dict()


def test_expired_messages_go_with_everything_hanging_off_them(story: Story) -> None:
    rule(story, "30d")
    assert story.found("parafusos") == 1

    report = purge(story)

    assert report["purged"] == 4
    assert report["held"] == 0
    assert (report["attachments"], report["revisions"], report["revocations"]) == (1, 1, 1)
    assert (report["reactions"], report["statuses"], report["blobs_deleted"]) == (1, 1, 1)
    assert [story.exists(p) for p in ("m1", "m2", "o1", "j1", "m3", "j2")] == [False] * 4 + [True] * 2
    for table in ("attachments", "revisions", "revocations", "reactions", "statuses"):
        assert story.count(table) == 0, table
    assert not story.blob_stored(PDF_SHA)
    assert story.found("parafusos") == 0
    assert story.found("cadeiras") == 1
    verified = story.verify()
    assert verified.ok, verified.problems
    assert verified.purged == 9  # 4 messages, 1 attachment, 1 revision, 1 revocation, 1 reaction, 1 status
    assert verified.purges == len(report["purges"]) == 1
    audited = story.scalar("SELECT object_id FROM audit_log WHERE action = 'retention_purge'")
    assert audited == str(report["purges"][0])


def test_a_media_rule_takes_the_attachments_and_keeps_the_messages(story: Story) -> None:
    rule(story, "5y")
    rule(story, "10d", kind="media")

    report = purge(story)

    assert (report["purged"], report["attachments"], report["blobs_deleted"]) == (0, 1, 1)
    assert story.exists("m2")
    assert story.count("attachments") == 0
    assert story.found("boleto") == 1  # the message's own words stay searchable; the file name left
    assert story.found("março") == 0
    verified = story.verify()
    assert verified.ok
    assert verified.purged == 1


def test_a_kind_rule_beats_all_within_its_scope_and_a_line_rule_beats_the_tenant(story: Story) -> None:
    rule(story, "5y")
    rule(story, "30d", kind="document")  # m2, the boleto

    assert purge(story)["purged"] == 1
    assert not story.exists("m2")
    assert story.exists("m1")

    rule(story, "30d", line="+5521999990000")  # the line: everything 30 days
    rule(story, "10y", kind="text", team="Vendas")  # a team rule is less specific than the line's
    assert purge(story)["purged"] == 3
    assert story.messages() == 2


def test_held_data_is_never_purged_until_released(story: Story) -> None:
    rule(story, "30d")
    hold_id = hold(story, phone="+55 21 98888-7777")  # Maria: her chat, her messages

    report = purge(story)

    assert report["purged"] == 1
    assert report["held"] == 3
    assert story.exists("m1")
    assert story.exists("o1")
    assert story.blob_stored()
    with transaction(story.setup.runtime.sessions) as session:
        release_hold(session, tenant_id=story.tenant_id, hold_id=hold_id, reason="encerrado", actor="dpo", now=NOW)
    assert purge(story)["purged"] == 3
    assert story.verify().ok


@pytest.mark.parametrize(
    ("target", "held"),
    [
        ({"line": "+5521999990000"}, 4),
        ({"employee": "bruno@exemplo.com.br"}, 4),
        ({"query": "parafusos"}, 1),
    ],
)
def test_every_kind_of_hold_keeps_what_it_names(story: Story, target: dict[str, Any], held: int) -> None:
    rule(story, "30d")
    hold(story, **target)

    report = purge(story)

    assert (report["held"], report["purged"]) == (held, 4 - held)


def test_a_conversation_hold_and_a_hold_that_has_ended(story: Story) -> None:
    rule(story, "30d")
    conversation = int(story.scalar("SELECT conversation_id FROM messages WHERE provider_message_id = 'j1'"))
    with transaction(story.setup.runtime.sessions) as session:
        add_hold(
            session,
            tenant=story.setup.tenant,
            target=HoldTarget(phone="+5521988887777"),
            reason="acabou",
            owner="dpo",
            starts_at=NOW - timedelta(days=20),
            ends_at=NOW - timedelta(days=1),
        )
    hold(story, conversation=conversation)  # João's chat

    report = purge(story)

    assert (report["purged"], report["held"]) == (3, 1)  # Maria's hold had ended
    assert story.exists("j1")
    assert not story.exists("m1")


def test_a_dry_run_counts_the_same_and_changes_nothing(story: Story) -> None:
    rule(story, "30d")
    hold(story, query="parafusos")
    before = (story.messages(), story.count("audit_log"), story.count("chain_links"))

    dry = purge(story, dry_run=True)

    assert (story.messages(), story.count("audit_log"), story.count("chain_links")) == before
    assert story.blob_stored()
    assert story.count("purges") == 0
    real = purge(story)
    assert {k: v for k, v in dry.items() if k not in ("dry_run", "blobs_deleted", "purges")} == {
        k: v for k, v in real.items() if k not in ("dry_run", "blobs_deleted", "purges")
    }
    assert dry["dry_run"] is True
    assert real["dry_run"] is False


def test_an_interrupted_purge_loses_nothing_and_the_next_run_finishes(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule(story, "30d")
    real_record = purge_module.record_batch
    calls = {"n": 0}

    def crash_on_the_second_batch(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        real_record(*args, **kwargs)

    monkeypatch.setattr(purge_module, "record_batch", crash_on_the_second_batch)
    with pytest.raises(RuntimeError):
        purge(story, batch_size=2)
    assert story.messages() == 4  # the first batch of 2 committed, the second rolled back whole
    assert story.verify().ok

    monkeypatch.setattr(purge_module, "record_batch", real_record)
    report = purge(story, batch_size=2)

    assert report["purged"] == 2
    assert story.messages() == 2
    verified = story.verify()
    assert verified.ok
    assert verified.purges == 2


def test_verify_still_catches_tampering_after_a_purge(story: Story) -> None:
    rule(story, "30d")
    purge(story)
    story.tamper("UPDATE messages SET text = 'outra coisa' WHERE provider_message_id = 'm3'")
    story.tamper("DELETE FROM messages WHERE provider_message_id = 'j2'")

    problems = {(p.kind, p.record) for p in story.verify().problems}

    assert ("modified", f"message:{story.message_id('m3')}") in problems
    assert any(kind == "missing" and record.startswith("message:") for kind, record in problems)


def test_a_tombstone_forged_or_dropped_after_a_purge_shows(story: Story) -> None:
    rule(story, "30d")
    report = purge(story)
    story.tamper("DELETE FROM tombstones WHERE id = (SELECT min(id) FROM tombstones)")

    verified = story.verify()

    assert ("modified", f"purge:{report['purges'][0]}") in {(p.kind, p.record) for p in verified.problems}
    assert any(p.kind == "missing" for p in verified.problems)  # its rows are no longer accounted for


def test_retention_rules_are_checked_and_audited(story: Story) -> None:
    for bad in ("", "5x", "0d", "1000y"):
        with pytest.raises(InvalidInput):
            parse_keep(bad)
    assert parse_keep("5y") == 5 * 365 + 2
    assert parse_keep("2w") == 14
    assert parse_keep("90") == 90
    with pytest.raises(InvalidInput):
        rule(story, "30d", kind="sms")
    rule(story, "30d")
    rule(story, "60d")  # the same scope and kind: changed, not added
    assert story.count("retention_rules") == 1
    assert int(story.scalar("SELECT count(*) FROM audit_log WHERE action = 'retention_rule_set'")) == 2
    purge(story)
    assert int(story.scalar("SELECT count(*) FROM audit_log WHERE action = 'retention_purge'")) == 0


def test_bytes_left_by_a_crash_after_commit_go_on_the_next_run(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    rule(story, "30d")
    monkeypatch.setattr(purge_module, "delete_queued", lambda runtime, tenant_id: 0)  # killed right after commit
    purge(story)
    assert story.blob_stored()
    assert story.scalar("SELECT count(*) FROM jobs WHERE kind = 'blob.delete' AND status = 'queued'") == 1

    monkeypatch.undo()
    assert purge(story)["blobs_deleted"] == 1

    assert not story.blob_stored()


def test_the_worker_handler_deletes_an_unnamed_blob_and_keeps_a_named_one(story: Story) -> None:
    runtime = story.setup.runtime
    job = ClaimedJob(id=0, tenant_id=story.tenant_id, kind=KIND, payload={"sha256": PDF_SHA}, attempts=1)
    delete_blob_job(runtime, job)
    assert story.blob_stored()  # the boleto still names it

    story.tamper("UPDATE attachments SET download_status = 'erased'")
    delete_blob_job(runtime, job)
    assert not story.blob_stored()
