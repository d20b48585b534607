"""A line connected through its own Meta app: its app secret signs, its verify token answers the
handshake, and neither ever speaks for another line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from atalaia.db.engine import transaction
from atalaia.db.models import Line
from atalaia.runtime import Runtime
from atalaia.services.line_connections import connect_cloud
from atalaia.services.lines import add_line
from atalaia.settings import Settings
from atalaia.web.app import create_app
from tests.conftest import ArchiveSetup
from tests.web.webhooks.cloud_posts import SAMPLES, counts, post

INSTALLATION_SECRET = "segredo-da-instalacao"
LINE_SECRET = "segredo-do-app-da-linha"
LINE_VERIFY = "verificacao-da-linha"
OTHER_PHONE_ID = "207777777777777"


@pytest.fixture
def client(settings: Settings, archive_setup: ArchiveSetup, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("ATALAIA_CLOUD_APP_SECRET", INSTALLATION_SECRET)
    runtime = Runtime.from_settings(Settings(), migrate=False)
    setup = archive_setup
    with transaction(runtime.sessions) as session:
        line = session.get_one(Line, setup.line.id)
        connect_cloud(session, line=line, phone_number_id=line.phone_number_id or "", access_token="token-da-linha",
                      app_secret=LINE_SECRET, verify_token=LINE_VERIFY,
                      data_key=runtime.data_key(setup.tenant), now=datetime.now(UTC))  # fmt: skip
        add_line(session, tenant_id=setup.tenant.id, number="+55 11 95555-4444", provider="cloud",
                 phone_number_id=OTHER_PHONE_ID, team="Compras")  # fmt: skip
    with TestClient(create_app(runtime)) as test_client:
        yield test_client
    runtime.close()


def body_for(*phone_number_ids: str) -> bytes:
    sample = json.loads((SAMPLES / "batch_media_reply_status.json").read_bytes())
    first = sample["entry"][0]["changes"][0]
    changes = []
    for pid in phone_number_ids:
        change = json.loads(json.dumps(first))
        change["value"]["metadata"]["phone_number_id"] = pid
        changes.append(change)
    sample["entry"] = [{"id": "waba", "changes": changes}]
    return json.dumps(sample).encode()


def messages(setup: ArchiveSetup) -> object:
    return counts(setup)["messages"]


def test_a_body_signed_by_the_lines_own_app_is_archived(client: TestClient, archive_setup: ArchiveSetup) -> None:
    answer = post(client, body_for("106540352242922"), secret=LINE_SECRET)

    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert answer.json()["new"] > 0  # type: ignore[attr-defined]


def test_the_installation_secret_still_signs_for_every_line(client: TestClient, archive_setup: ArchiveSetup) -> None:
    assert post(client, body_for("106540352242922", OTHER_PHONE_ID), secret=INSTALLATION_SECRET).status_code == 200  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "named",
    [(OTHER_PHONE_ID,), ("106540352242922", OTHER_PHONE_ID), ("999",), ()],
    ids=["another-line", "own-and-another", "unknown-line", "no-line"],
)
def test_a_lines_secret_never_speaks_for_another_line(
    client: TestClient, archive_setup: ArchiveSetup, named: tuple[str, ...]
) -> None:
    answer = post(client, body_for(*named), secret=LINE_SECRET)

    assert answer.status_code == 401  # type: ignore[attr-defined]
    assert messages(archive_setup) == 0


def test_a_wrong_secret_and_a_garbage_body_are_refused(client: TestClient, archive_setup: ArchiveSetup) -> None:
    assert post(client, body_for("106540352242922"), secret="outro").status_code == 401  # type: ignore[attr-defined]
    assert post(client, b"\xff{not json", secret=LINE_SECRET).status_code == 401  # type: ignore[attr-defined]
    assert messages(archive_setup) == 0


def test_the_handshake_accepts_the_lines_verify_token_only(client: TestClient) -> None:
    def handshake(token: str) -> object:
        params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "42"}
        return client.get("/webhooks/cloud", params=params)

    ok = handshake(LINE_VERIFY)
    assert (ok.status_code, ok.text) == (200, "42")  # type: ignore[attr-defined]
    assert handshake("errado").status_code == 403  # type: ignore[attr-defined]
    assert handshake("x" * 5000).status_code == 403  # type: ignore[attr-defined]
