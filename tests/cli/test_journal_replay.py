"""A body that was journaled but never archived (a crash) is archived by replay, once."""

from __future__ import annotations

from pathlib import Path

from atalaia.db.engine import transaction
from atalaia.journal import append_entry
from tests.cli.conftest import Invoke, json_of
from tests.conftest import ArchiveSetup

SAMPLES = Path(__file__).parents[1] / "samples" / "cloud_api"


def test_replay_archives_what_a_crash_left_in_the_journal_and_is_idempotent(
    atalaia: Invoke, archive_setup: ArchiveSetup
) -> None:
    with transaction(archive_setup.runtime.sessions) as session:
        append_entry(session, source="cloud", body=(SAMPLES / "batch_media_reply_status.json").read_bytes(), headers={})
        append_entry(session, source="cloud", body=b"not json", headers={})

    first = json_of(atalaia("journal", "replay", "--json"))
    second = json_of(atalaia("journal", "replay", "--json"))

    assert first == {"entries": 2, "new": 4, "duplicates": 0, "failed": 1, "redacted": 0}
    assert second == {"entries": 2, "new": 0, "duplicates": 4, "failed": 1, "redacted": 0}
    assert json_of(atalaia("stats", "--json"))["messages"] == 4


def test_replay_refuses_a_bad_date(atalaia: Invoke) -> None:
    assert "--since" in atalaia("journal", "replay", "--since", "ontem", expect=2).stderr
