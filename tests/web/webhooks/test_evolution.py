"""POST /webhooks/evolution: journal first, the line's token checked, archived once, secrets kept out.

Personas: Bruno (team Vendas) has a corporate line on an Evolution API instance `vendas-bruno`;
Maria is a customer; João a supplier in the sales group. A WAHA line exists too, so that a token
from one gateway is shown not to open the other.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import (
    Attachment,
    AuditEntry,
    CaptureGap,
    Conversation,
    DeliveryStatusRecord,
    JournalEntry,
    Line,
    Message,
    Reaction,
    Revision,
    Revocation,
)
from atalaia.journal import append_entry
from atalaia.runtime import Runtime
from atalaia.services.gateway_ingest import process_gateway_entry
from atalaia.services.lines import add_line
from atalaia.services.stats import tenant_stats
from atalaia.settings import Settings
from atalaia.web.webhooks import evolution
from tests.conftest import ArchiveSetup

SAMPLES = Path(__file__).parents[2] / "samples" / "evolution"
APIKEY = "evo-apikey-SEGREDO-nao-pode-vazar-7f3a"


@dataclass(frozen=True)
class Lines:
    setup: ArchiveSetup
    evolution_id: int
    evolution_token: str
    waha_token: str


@pytest.fixture
def lines(archive_setup: ArchiveSetup) -> Lines:
    runtime = archive_setup.runtime
    data_key = runtime.data_key(archive_setup.tenant)
    with transaction(runtime.sessions) as session:
        bruno = add_line(session, tenant_id=archive_setup.tenant.id, number="+55 21 99999-1111", provider="evolution",
                         instance="vendas-bruno", team="Vendas", data_key=data_key)  # fmt: skip
        other = add_line(session, tenant_id=archive_setup.tenant.id, number="+55 21 99999-2222", provider="waha",
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
    app.include_router(evolution.router)
    with TestClient(app) as test_client:
        yield test_client
    runtime.close()


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def post(client: TestClient, body: bytes, token: str | None, *, path: str = "/webhooks/evolution") -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response: httpx.Response = client.post(path, content=body, headers=headers)
    return response


def counts(lines: Lines) -> dict[str, Any]:
    with lines.setup.runtime.sessions() as session:
        return tenant_stats(session, tenant_id=lines.setup.tenant.id, include_unrouted=True)


def line_status(lines: Lines) -> str:
    with lines.setup.runtime.sessions() as session:
        line = session.get(Line, lines.evolution_id)
        assert line is not None
        return line.status


def all_rows(lines: Lines, model: Any) -> list[Any]:
    with lines.setup.runtime.sessions() as session:
        return list(session.execute(select(model).order_by(model.id)).scalars())


def test_a_message_is_archived_once_even_when_retried(client: TestClient, lines: Lines) -> None:
    first = post(client, sample("upsert_lid_reply.json"), lines.evolution_token)
    retry = post(client, sample("upsert_lid_reply.json"), lines.evolution_token)

    assert first.status_code == 200
    assert (first.json()["new"], retry.json()["new"], retry.json()["duplicates"]) == (1, 0, 1)
    stats = counts(lines)
    assert stats["messages"] == 1
    assert stats["journal"] == {"accepted": 2, "rejected": 0, "failed": 0}
    [message] = all_rows(lines, Message)
    assert (message.line_id, message.direction, message.reply_to) == (
        lines.evolution_id,
        "inbound",
        "3EB0FFEE0011223344",
    )
    [entry, _] = all_rows(lines, JournalEntry)
    assert (entry.source, entry.line_id, entry.tenant_id) == ("evolution", lines.evolution_id, lines.setup.tenant.id)
    assert entry.processed_at is not None


@pytest.mark.parametrize("token", ["atl_not-a-real-token", None])
def test_a_bad_or_missing_token_is_401_and_only_journaled(client: TestClient, lines: Lines, token: str | None) -> None:
    body = sample("upsert_lid_reply.json")

    response = post(client, body, token)

    assert response.status_code == 401
    assert response.json()["ok"] is False
    stats = counts(lines)
    assert (stats["messages"], stats["contacts"], stats["conversations"]) == (0, 0, 0)
    assert stats["journal"] == {"accepted": 0, "rejected": 1, "failed": 0}
    [entry] = all_rows(lines, JournalEntry)
    assert entry.body == body  # byte for byte, as evidence
    assert entry.line_id is None
    assert entry.reason in ("unknown line token", "missing Authorization: Bearer <line token>")
    assert "authorization" not in entry.headers


def test_a_token_of_a_waha_line_does_not_open_the_evolution_endpoint(client: TestClient, lines: Lines) -> None:
    response = post(client, sample("upsert_lid_reply.json"), lines.waha_token)

    assert response.status_code == 401
    assert counts(lines)["messages"] == 0
    [entry] = all_rows(lines, JournalEntry)
    assert entry.status == "rejected"
    assert "waha line" in (entry.reason or "")


def test_malformed_json_is_400_and_kept_as_failed(client: TestClient, lines: Lines) -> None:
    response = post(client, b'{"event": "messages.upsert", "data": {', lines.evolution_token)

    assert response.status_code == 400
    assert counts(lines)["journal"] == {"accepted": 0, "rejected": 0, "failed": 1}


def test_a_body_for_another_instance_is_refused_whatever_its_token(client: TestClient, lines: Lines) -> None:
    response = post(client, sample("upsert_text_verbatim.json"), lines.evolution_token)  # instance "tigo1"

    assert response.status_code == 403
    assert counts(lines)["messages"] == 0
    [entry] = all_rows(lines, JournalEntry)
    assert entry.status == "rejected"
    assert "tigo1" in (entry.reason or "")


def test_the_apikey_is_never_archived_nor_logged_but_the_message_secret_is_kept(
    client: TestClient, lines: Lines, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    names = ["upsert_lid_reply.json", "upsert_image_base64.json", "send_message_document.json", "upsert_reaction.json",
             "upsert_edit_by_line.json", "messages_edited.json", "upsert_revoke.json", "messages_delete.json",
             "messages_update_read.json", "connection_open.json", "presence_update.json"]  # fmt: skip
    for name in names:
        assert post(client, sample(name), lines.evolution_token).status_code == 200, name
    assert post(client, sample("upsert_lid_reply.json"), "atl_wrong").status_code == 401
    assert post(client, sample("upsert_text_verbatim.json"), lines.evolution_token).status_code == 403

    assert APIKEY not in caplog.text
    archived = [row.raw for model in (Message, Revision, Revocation, Reaction, DeliveryStatusRecord)
                for row in all_rows(lines, model)]  # fmt: skip
    assert len(archived) == 8
    assert all(raw is not None and APIKEY not in json.dumps(raw) for raw in archived)
    assert all(APIKEY not in (entry.reason or "") for entry in all_rows(lines, JournalEntry))
    secrets = [m.raw["message"]["messageContextInfo"]["messageSecret"] for m in all_rows(lines, Message)
               if "messageContextInfo" in m.raw["message"]]  # fmt: skip
    assert len(secrets) == 2  # the LID reply and the image


def test_connection_events_change_the_lines_status(client: TestClient, lines: Lines) -> None:
    assert line_status(lines) == "pending"

    post(client, sample("connection_open.json"), lines.evolution_token)
    connected = line_status(lines)
    post(client, sample("connection_close_401.json"), lines.evolution_token)
    disconnected = line_status(lines)
    post(client, sample("qrcode_updated.json"), lines.evolution_token)

    assert (connected, disconnected, line_status(lines)) == ("connected", "disconnected", "pending")
    assert counts(lines)["messages"] == 0


def test_an_unknown_event_is_journaled_answered_200_and_archives_nothing(client: TestClient, lines: Lines) -> None:
    response = post(client, sample("presence_update.json"), lines.evolution_token)

    assert response.status_code == 200
    assert response.json()["new"] == 0
    stats = counts(lines)
    assert (stats["messages"], stats["conversations"], stats["journal"]["accepted"]) == (0, 0, 1)
    [entry] = all_rows(lines, JournalEntry)
    assert "presence.update" in (entry.reason or "")


def test_an_edit_named_from_the_customers_side_lands_in_the_messages_chat(client: TestClient, lines: Lines) -> None:
    post(client, sample("upsert_lid_reply.json"), lines.evolution_token)

    response = post(client, sample("messages_edited.json"), lines.evolution_token)
    retry = post(client, sample("messages_edited.json"), lines.evolution_token)

    assert (response.status_code, retry.status_code) == (200, 200)
    [revision] = all_rows(lines, Revision)
    assert revision.text == "Pode mandar a proposta?"
    [message] = all_rows(lines, Message)
    assert revision.message_id == message.id
    assert message.edited_at is not None
    assert message.text == "Pode mandar a proposta com desconto?"  # the original is kept
    assert counts(lines)["conversations"] == 1  # no conversation with the line's own number


def test_an_edit_of_a_message_not_yet_archived_without_a_chat_stays_in_the_journal(
    client: TestClient, lines: Lines
) -> None:
    response = post(client, sample("messages_edited.json"), lines.evolution_token)

    assert response.status_code == 200
    assert counts(lines)["revisions"] == 0
    [entry] = all_rows(lines, JournalEntry)
    assert entry.status == "accepted"
    assert "kept in the journal" in (entry.reason or "")


def test_a_deletion_reported_twice_marks_the_message_deleted_once(client: TestClient, lines: Lines) -> None:
    post(client, sample("upsert_image_base64.json"), lines.evolution_token)

    post(client, sample("upsert_revoke.json"), lines.evolution_token)
    post(client, sample("messages_delete.json"), lines.evolution_token)

    [revocation] = all_rows(lines, Revocation)
    [message] = all_rows(lines, Message)
    assert (revocation.message_id, revocation.by_line) == (message.id, False)
    assert message.revoked_at is not None
    assert message.text == "Comprovante do PIX"


def test_inline_media_is_stored_and_checked_against_its_declared_hash(client: TestClient, lines: Lines) -> None:
    post(client, sample("upsert_image_base64.json"), lines.evolution_token)

    [attachment] = all_rows(lines, Attachment)
    assert (attachment.download_status, attachment.mime_type) == ("stored", "image/jpeg")
    assert attachment.sha256 == attachment.declared_sha256


def test_reactions_and_statuses_of_the_lines_own_message(client: TestClient, lines: Lines) -> None:
    post(client, sample("send_message_document.json"), lines.evolution_token)
    post(client, sample("upsert_reaction.json"), lines.evolution_token)
    post(client, sample("messages_update_read.json"), lines.evolution_token)
    post(client, sample("upsert_edit_by_line.json"), lines.evolution_token)

    [message] = all_rows(lines, Message)
    [reaction] = all_rows(lines, Reaction)
    [status] = all_rows(lines, DeliveryStatusRecord)
    [revision] = all_rows(lines, Revision)
    assert message.direction == "outbound"
    assert (reaction.message_id, reaction.emoji) == (message.id, "👍")
    assert (status.message_id, status.status) == (message.id, "read")
    assert (revision.message_id, revision.text) == (message.id, "Segue a proposta revisada")


def test_group_subjects_and_history_are_archived(client: TestClient, lines: Lines) -> None:
    post(client, sample("groups_upsert.json"), lines.evolution_token)
    post(client, sample("upsert_group_lid.json"), lines.evolution_token)
    history = post(client, sample("messaging_history_set.json"), lines.evolution_token)

    assert history.json()["new"] == 3  # two texts and one unsupported; the status story is not a chat
    [group] = [c for c in all_rows(lines, Conversation) if c.kind == "group"]
    assert (group.key, group.subject) == ("group:120363025246125486@g.us", "Vendas - Equipe")
    assert counts(lines)["messages"] == 4


def test_webhook_by_events_urls_are_accepted(client: TestClient, lines: Lines) -> None:
    response = post(client, sample("upsert_lid_reply.json"), lines.evolution_token,
                    path="/webhooks/evolution/messages-upsert")  # fmt: skip

    assert response.status_code == 200
    assert counts(lines)["messages"] == 1


def test_replay_archives_an_entry_the_process_left_behind_once(lines: Lines) -> None:
    runtime = lines.setup.runtime
    with transaction(runtime.sessions) as session:
        entry_id = append_entry(session, source="evolution", body=sample("upsert_lid_reply.json"), headers={})

    first = process_gateway_entry(runtime, entry_id=entry_id, body=sample("upsert_lid_reply.json"),
                                  source="evolution", line_id=lines.evolution_id)  # fmt: skip
    again = process_gateway_entry(runtime, entry_id=entry_id, body=sample("upsert_lid_reply.json"),
                                  source="evolution", line_id=lines.evolution_id)  # fmt: skip
    unknown = process_gateway_entry(runtime, entry_id=entry_id, body=sample("upsert_lid_reply.json"),
                                    source="evolution", line_id=None)  # fmt: skip

    assert (first.status_code, first.result.new, again.result.new, again.result.duplicates) == (200, 1, 0, 1)
    assert unknown.status_code == 401  # the bearer token is never journaled, so it cannot be re-checked
    assert counts(lines)["messages"] == 1


# --- Encrypted edits (secretEncryptedMessage): read with the original's sealed messageSecret ---

ORIGINAL_SECRET = base64.b64decode("Zm9vYmFyLW1lc3NhZ2Utc2VjcmV0LTMyLWJ5dGVzISE=")  # upsert_lid_reply.json's


def _field(number: int, value: bytes | int) -> bytes:
    """Protobuf wire encoding of one field (varint or length-delimited), for building test plaintexts."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def encrypted_edit(text: str, *, target: str, sender: str, editor: str, secret: bytes = ORIGINAL_SECRET,
                   edit_id: str = "3EB0SECRETEDIT0001", remote: str = "210987654321098@lid") -> bytes:  # fmt: skip
    """An Evolution upsert carrying a MESSAGE_EDIT encrypted the way WhatsApp clients do (since 2026)."""
    edited = _field(1, text.encode())  # Message.conversation
    protocol = _field(1, _field(3, target.encode())) + _field(2, 14) + _field(14, edited)
    plaintext = _field(12, protocol)  # Message.protocolMessage
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=(target + sender + editor + "Message Edit").encode()).derive(secret)  # fmt: skip
    iv = bytes(range(12))
    payload = AESGCM(key).encrypt(iv, plaintext, None)
    body = json.loads(sample("upsert_lid_reply.json"))
    body["data"]["key"]["id"] = edit_id
    body["data"]["key"]["remoteJid"] = remote
    body["data"]["message"] = {"secretEncryptedMessage": {
        "targetMessageKey": {"id": target, "remoteJid": remote, "fromMe": False},
        "encPayload": base64.b64encode(payload).decode(), "encIv": base64.b64encode(iv).decode(),
        "secretEncType": 2}}  # fmt: skip
    return json.dumps(body).encode()


TARGET = "3EB0A1B2C3D4E5F60718"  # the message id in upsert_lid_reply.json


def test_the_message_secret_is_archived_sealed(client: TestClient, lines: Lines) -> None:
    assert post(client, sample("upsert_lid_reply.json"), lines.evolution_token).status_code == 200

    (message,) = all_rows(lines, Message)
    stored = message.raw["message"]["messageContextInfo"]["messageSecret"]
    assert stored.startswith("sealed:v1:")
    assert "Zm9vYmFy" not in json.dumps(message.raw)


@pytest.mark.parametrize("sender", ["5521988887777@s.whatsapp.net", "210987654321098@lid"])
def test_an_encrypted_edit_becomes_a_revision_whichever_id_the_sender_used(
    client: TestClient, lines: Lines, sender: str
) -> None:
    post(client, sample("upsert_lid_reply.json"), lines.evolution_token)

    answer = post(client, encrypted_edit("Pode mandar SEM desconto", target=TARGET, sender=sender, editor=sender),
                  lines.evolution_token)  # fmt: skip

    assert answer.status_code == 200
    (revision,) = all_rows(lines, Revision)
    assert revision.text == "Pode mandar SEM desconto"
    (message,) = all_rows(lines, Message)
    assert message.text == "Pode mandar a proposta com desconto?"  # the original is kept
    assert message.edited_at is not None


def test_an_encrypted_edit_before_its_message_waits_in_the_journal_for_replay(client: TestClient, lines: Lines) -> None:
    early = post(client, encrypted_edit("corrigido", target=TARGET, sender="5521988887777@s.whatsapp.net",
                                        editor="5521988887777@s.whatsapp.net"), lines.evolution_token)  # fmt: skip
    assert early.status_code == 200
    assert all_rows(lines, Revision) == []
    (entry,) = all_rows(lines, JournalEntry)
    assert "not archived yet" in (entry.reason or "")

    post(client, sample("upsert_lid_reply.json"), lines.evolution_token)
    with lines.setup.runtime.sessions() as session:
        journaled = session.get(JournalEntry, entry.id)
        assert journaled is not None
        body = journaled.body
    process_gateway_entry(lines.setup.runtime, entry_id=entry.id, body=body, source="evolution",
                          line_id=lines.evolution_id)  # fmt: skip

    assert [r.text for r in all_rows(lines, Revision)] == ["corrigido"]


@pytest.mark.parametrize("tamper", ["wrong secret", "wrong author", "garbage payload"])
def test_an_edit_that_does_not_decrypt_is_not_archived_and_says_why(
    client: TestClient, lines: Lines, tamper: str
) -> None:
    post(client, sample("upsert_lid_reply.json"), lines.evolution_token)
    phone = "5521988887777@s.whatsapp.net"
    if tamper == "wrong secret":
        body = encrypted_edit("x", target=TARGET, sender=phone, editor=phone, secret=bytes(32))
    elif tamper == "wrong author":
        body = encrypted_edit("x", target=TARGET, sender="5500000000000@s.whatsapp.net", editor=phone)
    else:
        data = json.loads(encrypted_edit("x", target=TARGET, sender=phone, editor=phone))
        data["data"]["message"]["secretEncryptedMessage"]["encPayload"] = base64.b64encode(b"\x00" * 40).decode()
        body = json.dumps(data).encode()

    answer = post(client, body, lines.evolution_token)

    assert answer.status_code == 200
    assert all_rows(lines, Revision) == []
    entry = all_rows(lines, JournalEntry)[-1]
    assert "does not decrypt to an edit" in (entry.reason or "")


def test_a_disconnection_event_opens_the_capture_gap_at_once_and_only_once(client: TestClient, lines: Lines) -> None:
    post(client, sample("connection_open.json"), lines.evolution_token)
    post(client, sample("connection_close_401.json"), lines.evolution_token)
    post(client, sample("connection_close_401.json"), lines.evolution_token)  # the gateway says it again

    gaps = all_rows(lines, CaptureGap)
    assert [(gap.reason, gap.ended_at) for gap in gaps] == [("disconnected", None)]  # no wait for the worker
    with lines.setup.runtime.sessions() as session:
        actions = session.execute(select(AuditEntry.action).where(AuditEntry.action == "capture_gap_opened")).all()
    assert len(actions) == 1
