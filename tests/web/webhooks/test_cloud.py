"""POST /webhooks/cloud: journal first, signature checked, archived once, bad input explained."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from atalaia.db.models import JournalEntry, Message
from atalaia.runtime import Runtime
from atalaia.settings import Settings
from atalaia.web.app import create_app
from tests.conftest import ArchiveSetup
from tests.web.webhooks.cloud_posts import SAMPLES, SECRET, counts, post


@pytest.fixture
def client(settings: Settings, archive_setup: ArchiveSetup, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("ATALAIA_CLOUD_APP_SECRET", SECRET)
    monkeypatch.setenv("ATALAIA_CLOUD_VERIFY_TOKEN", "token-de-verificacao")
    monkeypatch.setenv("ATALAIA_MAX_WEBHOOK_BYTES", "65536")
    runtime = Runtime.from_settings(Settings(), migrate=False)
    with TestClient(create_app(runtime)) as test_client:  # the whole app: POST goes through CloudLane
        yield test_client
    runtime.close()


def test_the_handshake_echoes_the_challenge_only_for_the_right_token(client: TestClient) -> None:
    ok = client.get("/webhooks/cloud", params={"hub.mode": "subscribe", "hub.verify_token": "token-de-verificacao",
                                               "hub.challenge": "1158201444"})  # fmt: skip
    bad = client.get("/webhooks/cloud", params={"hub.mode": "subscribe", "hub.verify_token": "errado",
                                                "hub.challenge": "1158201444"})  # fmt: skip

    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert bad.status_code == 403
    assert client.get("/webhooks/cloud").status_code == 403


def test_a_signed_notification_is_archived_once_even_when_retried(
    client: TestClient, archive_setup: ArchiveSetup
) -> None:
    body = (SAMPLES / "batch_media_reply_status.json").read_bytes()

    first = post(client, body)
    retry = post(client, body)

    assert first.status_code == 200  # type: ignore[attr-defined]
    assert first.json()["new"] == 4  # type: ignore[attr-defined]
    assert retry.json()["new"] == 0  # type: ignore[attr-defined]
    stats = counts(archive_setup)
    assert stats["messages"] == 4  # document, voice, unsupported, location; the reaction is its own record
    assert stats["reactions"] == 1
    assert stats["journal"] == {"accepted": 2, "rejected": 0, "failed": 0}


def test_a_bad_signature_is_401_and_only_journaled(client: TestClient, archive_setup: ArchiveSetup) -> None:
    body = (SAMPLES / "text_with_referral.json").read_bytes()

    response = post(client, body, secret="segredo-errado")

    assert response.status_code == 401  # type: ignore[attr-defined]
    stats = counts(archive_setup)
    assert stats["messages"] == 0
    assert stats["journal"]["rejected"] == 1  # type: ignore[index]
    with archive_setup.runtime.sessions() as session:
        entry = session.execute(select(JournalEntry)).scalar_one()
    assert entry.body == body  # byte for byte
    assert entry.reason == "invalid X-Hub-Signature-256"


def test_a_missing_signature_is_401(client: TestClient) -> None:
    response = client.post("/webhooks/cloud", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 401


def test_malformed_json_is_400_and_kept_as_failed(client: TestClient, archive_setup: ArchiveSetup) -> None:
    response = post(client, b'{"entry": [')

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert counts(archive_setup)["journal"] == {"accepted": 0, "rejected": 0, "failed": 1}


def test_an_oversized_body_is_413_and_nothing_is_stored(client: TestClient, archive_setup: ArchiveSetup) -> None:
    body = json.dumps({"entry": [], "pad": "x" * 70_000}).encode()

    assert post(client, body).status_code == 413  # type: ignore[attr-defined]
    with archive_setup.runtime.sessions() as session:
        assert session.execute(select(func.count()).select_from(JournalEntry)).scalar_one() == 0


def test_an_unknown_phone_number_id_archives_nothing_but_keeps_the_body(
    client: TestClient, archive_setup: ArchiveSetup
) -> None:
    body = (SAMPLES / "text_with_referral.json").read_bytes().replace(b"106540352242922", b"999")

    assert post(client, body).status_code == 200  # type: ignore[attr-defined]
    assert counts(archive_setup)["journal"]["failed"] == 1  # type: ignore[index]
    with archive_setup.runtime.sessions() as session:
        assert session.execute(select(func.count()).select_from(Message)).scalar_one() == 0
