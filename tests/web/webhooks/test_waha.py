"""POST /webhooks/waha: the line's bearer token or WAHA's own HMAC, one message per WhatsApp id.

Personas: Bruno (team Vendas) has a corporate line on the WAHA session `vendas-bruno`; Maria is a
customer. An Evolution line exists too, so that its token is shown not to open this endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import DeliveryStatusRecord, JournalEntry, Line, Message, Revision, Revocation
from atalaia.journal import append_entry
from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import process_gateway_entry
from atalaia.services.lines import add_line
from atalaia.services.stats import tenant_stats
from atalaia.settings import Settings
from atalaia.web.webhooks import waha
from tests.conftest import ArchiveSetup

SAMPLES = Path(__file__).parents[2] / "samples" / "waha"


@dataclass(frozen=True)
class Lines:
    setup: ArchiveSetup
    waha_id: int
    waha_token: str
    evolution_token: str


@pytest.fixture
def lines(archive_setup: ArchiveSetup) -> Lines:
    runtime = archive_setup.runtime
    data_key = runtime.data_key(archive_setup.tenant)
    with transaction(runtime.sessions) as session:
        bruno = add_line(session, tenant_id=archive_setup.tenant.id, number="+55 21 99999-2222", provider="waha",
                         instance="vendas-bruno", team="Vendas", data_key=data_key)  # fmt: skip
        other = add_line(session, tenant_id=archive_setup.tenant.id, number="+55 21 99999-1111", provider="evolution",
                         instance="vendas-bruno", data_key=data_key)  # fmt: skip
    assert bruno.token is not None
    assert other.token is not None
    return Lines(archive_setup, bruno.line.id, bruno.token, other.token)


@pytest.fixture
def client(settings: Settings, lines: Lines, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("ATALAIA_MAX_WEBHOOK_BYTES", str(1024 * 1024))
    runtime = Runtime.from_settings(Settings(), migrate=False)
    app = FastAPI()
    app.state.runtime = runtime
    app.include_router(waha.router)
    with TestClient(app) as test_client:
        yield test_client
    runtime.close()


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def signature(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


def post(client: TestClient, body: bytes, *, token: str | None = None, hmac_key: str | None = None,
         **headers: str) -> httpx.Response:  # fmt: skip
    sent = {"Content-Type": "application/json", **headers}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if hmac_key is not None:
        sent |= {"X-Webhook-Hmac": signature(body, hmac_key), "X-Webhook-Hmac-Algorithm": "sha512"}
    response: httpx.Response = client.post("/webhooks/waha", content=body, headers=sent)
    return response


def counts(lines: Lines) -> dict[str, Any]:
    with lines.setup.runtime.sessions() as session:
        return tenant_stats(session, tenant_id=lines.setup.tenant.id, include_unrouted=True)


def all_rows(lines: Lines, model: Any) -> list[Any]:
    with lines.setup.runtime.sessions() as session:
        return list(session.execute(select(model).order_by(model.id)).scalars())


def line_status(lines: Lines) -> str:
    with lines.setup.runtime.sessions() as session:
        line = session.get(Line, lines.waha_id)
        assert line is not None
        return line.status


def test_message_and_message_any_for_the_same_message_archive_one_message(client: TestClient, lines: Lines) -> None:
    first = post(client, sample("message_text.json"), token=lines.waha_token)
    second = post(client, sample("message_any_text.json"), token=lines.waha_token)

    assert (first.status_code, first.json()["new"]) == (200, 1)
    assert (second.status_code, second.json()["new"], second.json()["duplicates"]) == (200, 0, 1)
    [message] = all_rows(lines, Message)
    assert (message.provider_message_id, message.line_id) == ("3EB0C431C26A1916E07E", lines.waha_id)


def test_wahas_own_hmac_authenticates_the_line(client: TestClient, lines: Lines) -> None:
    response = post(client, sample("message_text.json"), hmac_key=lines.waha_token)

    assert response.status_code == 200
    assert counts(lines)["messages"] == 1
    [entry] = all_rows(lines, JournalEntry)
    assert entry.headers["x-webhook-hmac"] == signature(sample("message_text.json"), lines.waha_token)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Webhook-Hmac": "0" * 128},
        {"X-Webhook-Hmac": "not hex at all"},
        {"Authorization": "Bearer atl_unknown"},
        {"Authorization": "Basic YnJ1bm86c2VuaGE="},
        {},
    ],
)
def test_bad_credentials_are_401_and_only_journaled(client: TestClient, lines: Lines, headers: dict[str, str]) -> None:
    response = post(client, sample("message_text.json"), **headers)

    assert response.status_code == 401
    stats = counts(lines)
    assert (stats["messages"], stats["journal"]) == (0, {"accepted": 0, "rejected": 1, "failed": 0})


def test_a_signature_with_another_algorithm_is_refused(client: TestClient, lines: Lines) -> None:
    body = sample("message_text.json")
    sha256 = hmac.new(lines.waha_token.encode(), body, hashlib.sha256).hexdigest()

    response = post(client, body, **{"X-Webhook-Hmac": sha256, "X-Webhook-Hmac-Algorithm": "sha256"})

    assert response.status_code == 401
    [entry] = all_rows(lines, JournalEntry)
    assert "sha256" in (entry.reason or "")


def test_an_evolution_lines_token_or_key_does_not_open_the_waha_endpoint(client: TestClient, lines: Lines) -> None:
    by_token = post(client, sample("message_text.json"), token=lines.evolution_token)
    by_hmac = post(client, sample("message_text.json"), hmac_key=lines.evolution_token)

    assert (by_token.status_code, by_hmac.status_code) == (401, 401)
    assert counts(lines)["messages"] == 0


def test_a_retired_line_accepts_nothing(client: TestClient, lines: Lines) -> None:
    with transaction(lines.setup.runtime.sessions) as session:
        session.execute(update(Line).where(Line.id == lines.waha_id).values(status="retired"))

    assert post(client, sample("message_text.json"), token=lines.waha_token).status_code == 401
    assert post(client, sample("message_text.json"), hmac_key=lines.waha_token).status_code == 401


def test_malformed_json_is_400_with_a_token_and_401_with_only_a_signature(client: TestClient, lines: Lines) -> None:
    body = b'{"event": "message", "payload": '

    assert post(client, body, token=lines.waha_token).status_code == 400
    assert post(client, body, hmac_key=lines.waha_token).status_code == 401
    assert counts(lines)["journal"] == {"accepted": 0, "rejected": 1, "failed": 1}


def test_session_status_changes_the_lines_status(client: TestClient, lines: Lines) -> None:
    seen = [line_status(lines)]
    for name in ("session_status_working.json", "session_status_failed.json", "session_status_scan_qr.json"):
        assert post(client, sample(name), token=lines.waha_token).status_code == 200
        seen.append(line_status(lines))

    assert seen == ["pending", "connected", "disconnected", "pending"]


def test_acks_edits_and_revocations_meet_their_messages(client: TestClient, lines: Lines) -> None:
    for name in ("message_text.json", "message_any_outbound.json", "message_ack_read.json", "message_edited.json",
                 "message_revoked.json"):  # fmt: skip
        assert post(client, sample(name), token=lines.waha_token).status_code == 200, name

    inbound, outbound = all_rows(lines, Message)
    [status] = all_rows(lines, DeliveryStatusRecord)
    [revision] = all_rows(lines, Revision)
    [revocation] = all_rows(lines, Revocation)
    assert (status.message_id, status.status) == (outbound.id, "read")
    assert (revision.message_id, revision.text) == (outbound.id, "Claro! Te envio a proposta amanhã.")
    assert (revocation.message_id, revocation.by_line) == (inbound.id, False)
    assert inbound.revoked_at is not None
    assert outbound.reply_to == inbound.provider_message_id
    assert counts(lines)["conversations"] == 1


def test_media_waits_for_the_download_job(client: TestClient, lines: Lines) -> None:
    post(client, sample("message_media.json"), token=lines.waha_token)

    stats = counts(lines)
    assert (stats["messages"], stats["attachments"]) == (1, 1)


def test_an_unknown_event_is_journaled_answered_200_and_archives_nothing(
    client: TestClient, lines: Lines, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    response = post(client, sample("poll_vote.json"), token=lines.waha_token)

    assert response.status_code == 200
    assert counts(lines)["messages"] == 0
    [entry] = all_rows(lines, JournalEntry)
    assert (entry.status, entry.line_id) == ("accepted", lines.waha_id)
    assert lines.waha_token not in caplog.text


def test_a_body_for_another_session_is_refused(client: TestClient, lines: Lines) -> None:
    body = sample("message_reaction_verbatim.json")  # session "default"

    assert post(client, body, token=lines.waha_token).status_code == 403
    assert post(client, body, hmac_key=lines.waha_token).status_code == 401  # no line has session "default"
    assert counts(lines)["reactions"] == 0


def test_replay_of_an_entry_left_before_authentication_rechecks_its_signature(lines: Lines) -> None:
    runtime = lines.setup.runtime
    body = sample("message_text.json")
    with transaction(runtime.sessions) as session:
        signed = append_entry(session, source="waha", body=body,
                              headers={"X-Webhook-Hmac": signature(body, lines.waha_token)})  # fmt: skip
        forged = append_entry(session, source="waha", body=body, headers={"X-Webhook-Hmac": "ab" * 64})

    ok = process_gateway_entry(runtime, entry_id=signed, body=body, source="waha", line_id=None)
    refused = process_gateway_entry(runtime, entry_id=forged, body=body, source="waha", line_id=None)

    assert (ok.status_code, ok.result.new, refused.status_code) == (200, 1, 401)
    assert counts(lines)["messages"] == 1
