"""ATALAIA_CLOUD_ACKNOWLEDGE=journaled: answer once the body is journaled, archive it just after."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from atalaia.connectors.cloud_api.signature import sign
from atalaia.db.models import JournalEntry
from atalaia.runtime import Runtime
from atalaia.services.ingest import Delivery, journal_cloud_batch
from atalaia.settings import Settings
from atalaia.web.app import create_app
from tests.conftest import ArchiveSetup
from tests.web.webhooks.cloud_posts import SAMPLES, SECRET, counts, post

BODY = (SAMPLES / "batch_media_reply_status.json").read_bytes()


@pytest.fixture
def journaled(settings: Settings, archive_setup: ArchiveSetup, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("ATALAIA_CLOUD_APP_SECRET", SECRET)
    monkeypatch.setenv("ATALAIA_CLOUD_ACKNOWLEDGE", "journaled")
    runtime = Runtime.from_settings(Settings(), migrate=False)
    yield runtime
    runtime.close()


def statuses(setup: ArchiveSetup) -> list[str]:
    with setup.runtime.sessions() as session:
        return list(session.execute(select(JournalEntry.status).order_by(JournalEntry.id)).scalars())


def eventually(check: Callable[[], bool], *, seconds: float = 20.0) -> None:
    """The archive runs on its own thread: wait for it, failing if it never gets there."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the background archive did not finish in time")
        time.sleep(0.05)


def test_the_answer_comes_after_the_journal_and_the_archive_follows(
    journaled: Runtime, archive_setup: ArchiveSetup
) -> None:
    with TestClient(create_app(journaled)) as client:
        first = post(client, BODY)
        retry = post(client, BODY)  # Meta's retry of the same bytes
        eventually(lambda: "pending" not in statuses(archive_setup))

    answer = first.json()  # type: ignore[attr-defined]
    assert first.status_code == 200  # type: ignore[attr-defined]
    assert (answer["ok"], answer["detail"]) == (True, "queued")
    assert "new" not in answer  # nothing is counted before it is archived
    assert retry.json()["journal_id"] == answer["journal_id"] + 1  # type: ignore[attr-defined]
    stats = counts(archive_setup)
    assert stats["messages"] == 4  # stored once despite the retry
    assert stats["journal"] == {"accepted": 2, "rejected": 0, "failed": 0}


def test_a_bad_signature_is_refused_at_once_and_nothing_is_queued(
    journaled: Runtime, archive_setup: ArchiveSetup
) -> None:
    with TestClient(create_app(journaled)) as client:
        refused = post(client, BODY, secret="outro-segredo")

    assert refused.status_code == 401  # type: ignore[attr-defined]
    assert statuses(archive_setup) == ["rejected"]
    assert counts(archive_setup)["messages"] == 0


def test_a_signed_body_that_is_not_json_is_answered_then_marked_failed(
    journaled: Runtime, archive_setup: ArchiveSetup
) -> None:
    with TestClient(create_app(journaled)) as client:
        answer = post(client, b'{"object": "whatsapp_business_account", "entry": [')
        eventually(lambda: statuses(archive_setup) == ["failed"])

    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert counts(archive_setup)["messages"] == 0


def test_what_a_stopped_server_left_pending_is_archived_when_it_starts(
    journaled: Runtime, archive_setup: ArchiveSetup
) -> None:
    other = json.loads(BODY)
    other["entry"][0]["id"] = "outra-conta"
    bodies = [BODY, json.dumps(other).encode()]
    deliveries = [Delivery(b, {"X-Hub-Signature-256": sign(body=b, app_secret=SECRET)}) for b in bodies]
    # Journaled and acknowledged, then the process died before archiving them.
    journal_cloud_batch(journaled, deliveries, pending=True)
    assert statuses(archive_setup) == ["pending", "pending"]
    assert counts(archive_setup)["journal"] == {"accepted": 2, "rejected": 0, "failed": 0}

    with TestClient(create_app(journaled)):
        eventually(lambda: statuses(archive_setup) == ["accepted", "accepted"])

    assert counts(archive_setup)["messages"] == 4
