"""Evolution API v2 bodies become the right events, and nothing hostile raises."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from atalaia.connectors.evolution import evidence, parse_envelope
from atalaia.domain.enums import ConversationKind, DeliveryStatus, Direction, LineStatus, MessageKind
from atalaia.domain.events import EditEvent, MessageEvent, ReactionEvent, RevokeEvent, StatusEvent

SAMPLES = Path(__file__).parents[2] / "samples" / "evolution"
APIKEY = "evo-apikey-SEGREDO-nao-pode-vazar-7f3a"
SECRET = "Zm9vYmFyLW1lc3NhZ2Utc2VjcmV0LTMyLWJ5dGVzISE="


def load(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def only_message(name: str) -> MessageEvent:
    parsed = parse_envelope(load(name))
    [event] = parsed.events
    assert isinstance(event, MessageEvent)
    return event


def test_the_verbatim_sample_keeps_the_message_secret_and_drops_the_apikey() -> None:
    event = only_message("upsert_text_verbatim.json")

    assert (event.provider_message_id, event.text, event.kind) == (
        "3EB03E3CA617ADA52AEA79",
        "hola - text",
        MessageKind.TEXT,
    )
    assert event.direction is Direction.INBOUND
    assert event.sent_at == datetime.fromtimestamp(1746132673, UTC)
    assert event.author is not None
    assert (event.author.key, event.author.name) == ("wa:59171146267", "percy alvarez E1")
    assert event.raw is not None
    assert event.raw["message"]["messageContextInfo"]["messageSecret"] == "Q3ngYL6Mi8gzb1naAYiHy/Z36XGRXYzfZfJXBbSlzxk="
    assert APIKEY not in json.dumps(event.raw)


def test_a_lid_chat_with_its_phone_alt_is_the_phone_contact_with_reply_and_forward() -> None:
    event = only_message("upsert_lid_reply.json")

    assert event.conversation.key == "wa:5521988887777"
    assert event.author is not None
    assert (event.author.phone, event.author.lid) == ("+5521988887777", "210987654321098@lid")
    assert event.reply_to == "3EB0FFEE0011223344"  # Evolution moved contextInfo to the top of data
    assert (event.forwarded, event.frequently_forwarded) == (True, True)


def test_a_group_message_from_a_lid_participant_is_authored_by_its_phone() -> None:
    event = only_message("upsert_group_lid.json")

    assert (event.conversation.key, event.conversation.kind) == (
        "group:120363025246125486@g.us",
        ConversationKind.GROUP,
    )
    assert event.conversation.contact is None
    assert event.author is not None
    assert (event.author.key, event.author.lid, event.author.name) == (
        "wa:5511977776666",
        "987654321012345@lid",
        "João Fornecedor",
    )
    assert event.text == "Pessoal, o CPF do cliente é 123.456.789-09"
    assert event.reply_to == "B00B1E5"
    assert event.sent_at == datetime.fromtimestamp(1709302000, UTC)  # a string timestamp


def test_inline_media_becomes_the_attachment_bytes_and_is_not_kept_twice() -> None:
    body = load("upsert_image_base64.json")
    event = only_message("upsert_image_base64.json")

    [attachment] = event.attachments
    assert attachment.content == base64.b64decode(body["data"]["message"]["base64"])
    assert attachment.sha256 == hashlib.sha256(attachment.content).hexdigest()
    assert (attachment.mime_type, attachment.caption, event.kind) == (
        "image/jpeg",
        "Comprovante do PIX",
        MessageKind.IMAGE,
    )
    assert event.raw is not None
    assert event.raw["message"]["base64"].startswith("<")  # a note, not the bytes again
    assert event.raw["message"]["messageContextInfo"]["messageSecret"] == SECRET
    assert body["data"]["message"]["base64"] != event.raw["message"]["base64"]  # the input is not mutated


def test_inline_media_above_the_limit_is_refused_as_a_problem() -> None:
    parsed = parse_envelope(load("upsert_image_base64.json"), max_media_bytes=10)

    [event] = parsed.events
    assert isinstance(event, MessageEvent)
    assert event.attachments[0].content is None
    assert any("larger than 10 bytes" in p for p in parsed.problems)


def test_inline_media_that_is_not_base64_is_a_problem() -> None:
    body = load("upsert_image_base64.json")
    body["data"]["message"]["base64"] = "not base64 at all!"

    parsed = parse_envelope(body)

    assert isinstance(parsed.events[0], MessageEvent)
    assert parsed.events[0].attachments[0].content is None
    assert any("not valid base64" in p for p in parsed.problems)


def test_a_document_sent_through_the_api_is_outbound_with_its_file_name_and_hash() -> None:
    event = only_message("send_message_document.json")

    assert (event.direction, event.author, event.author_name) == (Direction.OUTBOUND, None, None)
    [attachment] = event.attachments
    assert (attachment.file_name, attachment.mime_type) == ("proposta.pdf", "application/pdf")
    assert attachment.sha256 == hashlib.sha256(b"%PDF-1.4 proposta comercial").hexdigest()  # from a Uint8Array


def test_wrappers_are_peeled_to_the_real_content() -> None:
    event = only_message("upsert_view_once_video.json")

    assert (event.kind, event.text) == (MessageKind.VIDEO, "só uma vez")
    assert event.attachments[0].mime_type == "video/mp4"


def test_a_reaction_targets_the_message_it_reacts_to() -> None:
    [event] = parse_envelope(load("upsert_reaction.json")).events

    assert isinstance(event, ReactionEvent)
    assert (event.target_message_id, event.emoji, event.provider_event_id) == ("BAE5DOC0000001", "👍", "3EB0REACT01")
    assert event.author is not None
    assert event.author.key == "wa:5521988887777"


def test_an_edit_by_the_line_in_an_upsert_is_an_edit_of_the_original() -> None:
    [event] = parse_envelope(load("upsert_edit_by_line.json")).events

    assert isinstance(event, EditEvent)
    assert (event.target_message_id, event.new_text) == ("BAE5DOC0000001", "Segue a proposta revisada")
    assert event.edited_at == datetime.fromtimestamp(1709302400, UTC)  # protocolMessage.timestampMs
    assert event.conversation.key == "wa:5521988887777"


def test_messages_edited_from_the_customer_names_no_chat_and_is_left_to_the_service() -> None:
    parsed = parse_envelope(load("messages_edited.json"))

    assert parsed.events == []
    [event] = parsed.unplaced
    assert isinstance(event, EditEvent)
    assert (event.target_message_id, event.new_text) == ("3EB0A1B2C3D4E5F60718", "Pode mandar a proposta?")
    assert event.conversation.key == ""  # its key says the line itself: the chat is the target's
    assert event.raw is not None
    assert event.raw["editedMessage"]["messageContextInfo"]["messageSecret"] == SECRET


def test_messages_edited_in_a_group_is_placed_in_the_group() -> None:
    body = load("messages_edited.json")
    body["data"]["key"] = {"remoteJid": "120363025246125486@g.us", "fromMe": False, "id": "G1",
                           "participant": "5511977776666@s.whatsapp.net"}  # fmt: skip

    parsed = parse_envelope(body)

    [event] = parsed.events
    assert isinstance(event, EditEvent)
    assert event.conversation.key == "group:120363025246125486@g.us"


def test_a_revoke_and_its_messages_delete_are_one_deletion() -> None:
    [upsert] = parse_envelope(load("upsert_revoke.json")).events
    [delete] = parse_envelope(load("messages_delete.json")).events

    assert isinstance(upsert, RevokeEvent)
    assert isinstance(delete, RevokeEvent)
    assert upsert.target_message_id == delete.target_message_id == "3EB0IMG000111"
    assert upsert.provider_event_id == delete.provider_event_id
    assert (upsert.by_line, delete.by_line) == (False, False)
    assert upsert.conversation.key == delete.conversation.key == "wa:5521988887777"


def test_a_deletion_through_the_api_is_by_the_line() -> None:
    body = load("messages_delete.json")
    body["data"] = {"id": "cm0row", "key": body["data"], "status": "DELETED", "messageType": "imageMessage"}

    [event] = parse_envelope(body).events

    assert isinstance(event, RevokeEvent)
    assert event.by_line is True


@pytest.mark.parametrize(("value", "status"), [("READ", DeliveryStatus.READ), (3, DeliveryStatus.DELIVERED),
                                               ("SERVER_ACK", DeliveryStatus.SENT), (0, DeliveryStatus.FAILED),
                                               ("5", DeliveryStatus.PLAYED)])  # fmt: skip
def test_message_updates_are_statuses_of_the_lines_own_messages(value: Any, status: DeliveryStatus) -> None:
    body = load("messages_update_read.json")
    body["data"]["status"] = value

    [event] = parse_envelope(body).events

    assert isinstance(event, StatusEvent)
    assert (event.target_message_id, event.status) == ("BAE5DOC0000001", status)
    assert event.at == datetime(2024, 3, 1, 14, 20, tzinfo=UTC)


def test_receipts_of_received_messages_and_pending_are_not_statuses() -> None:
    inbound = load("messages_update_read.json")
    inbound["data"]["fromMe"] = False
    pending = load("messages_update_read.json")
    pending["data"]["status"] = "PENDING"

    assert parse_envelope(inbound).events == []
    assert parse_envelope(pending).events == []


def test_history_keeps_unknown_content_and_skips_status_stories() -> None:
    parsed = parse_envelope(load("messaging_history_set.json"))

    outbound, inbound, unknown = parsed.events
    assert isinstance(outbound, MessageEvent)
    assert isinstance(inbound, MessageEvent)
    assert isinstance(unknown, MessageEvent)
    assert (outbound.direction, inbound.direction) == (Direction.OUTBOUND, Direction.INBOUND)
    assert inbound.text == "Bom dia! Tudo certo?"
    assert inbound.sent_at == datetime.fromtimestamp(1709200060, UTC)  # a protobuf Long
    assert unknown.kind is MessageKind.UNSUPPORTED
    assert unknown.raw is not None
    assert unknown.raw["message"] == {"futureShinyMessage": {"x": 1}}
    assert any("status (story)" in p for p in parsed.problems)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"state": "open", "statusReason": 200}, LineStatus.CONNECTED),
        ({"state": "close", "statusReason": 401}, LineStatus.DISCONNECTED),
        ({"state": "close", "statusReason": 428}, LineStatus.DISCONNECTED),
        ({"state": "close", "statusReason": 403}, LineStatus.BANNED),
        ({"state": "refused", "statusReason": 428}, LineStatus.DISCONNECTED),
        ({"state": "connecting", "statusReason": 200}, None),
    ],
)
def test_connection_updates_set_the_line_status(data: dict[str, Any], expected: LineStatus | None) -> None:
    body = load("connection_open.json")
    body["data"] = data

    parsed = parse_envelope(body)

    assert parsed.line_status == expected
    assert parsed.events == []


def test_a_qr_code_makes_the_line_pending_and_the_code_goes_nowhere() -> None:
    parsed = parse_envelope(load("qrcode_updated.json"))

    assert parsed.line_status is LineStatus.PENDING
    assert "QRCODE-PAIRING-SECRET" not in f"{parsed.status_reason} {parsed.problems}"


@pytest.mark.parametrize("event", ["logout.instance", "remove.instance"])
def test_a_logged_out_instance_is_disconnected(event: str) -> None:
    parsed = parse_envelope({"event": event, "instance": "vendas-bruno", "data": None})
    assert parsed.line_status is LineStatus.DISCONNECTED


def test_groups_give_their_subjects() -> None:
    parsed = parse_envelope(load("groups_upsert.json"))

    assert parsed.group_subjects == {"group:120363025246125486@g.us": "Vendas - Equipe"}


def test_an_unknown_event_archives_nothing_and_says_so() -> None:
    parsed = parse_envelope(load("presence_update.json"))

    assert (parsed.events, parsed.line_status) == ([], None)
    assert parsed.problems == ["event 'presence.update' carries no messages; kept in the journal only"]


def test_event_names_are_read_in_every_spelling() -> None:
    body = load("upsert_text_verbatim.json")
    body["event"] = "MESSAGES_UPSERT"

    assert len(parse_envelope(body).events) == 1


@pytest.mark.parametrize(
    ("message", "note"),
    [
        ({"protocolMessage": {"type": 3, "ephemeralExpiration": 604800}}, "housekeeping"),
        ({"protocolMessage": {"type": "LID_MIGRATION_MAPPING_SYNC"}}, "housekeeping"),
        ({"secretEncryptedMessage": {"targetMessageKey": {"id": "X"}, "encPayload": "AAAA"}}, "secret message"),
        ({"pollUpdateMessage": {"pollCreationMessageKey": {"id": "P"}}}, "poll vote"),
    ],
)
def test_housekeeping_and_encrypted_content_stay_in_the_journal(message: dict[str, Any], note: str) -> None:
    body = load("upsert_text_verbatim.json")
    body["data"]["message"] = message

    parsed = parse_envelope(body)

    assert parsed.events == []
    assert any(note in p for p in parsed.problems)


def test_a_poll_is_kept_as_unsupported_with_its_question_as_text() -> None:
    body = load("upsert_text_verbatim.json")
    options = [{"optionName": "Sim"}, {"optionName": "Não"}]
    body["data"]["message"] = {"pollCreationMessageV3": {"name": "Aprovamos o desconto?", "options": options}}

    [event] = parse_envelope(body).events

    assert isinstance(event, MessageEvent)
    assert (event.kind, event.text) == (MessageKind.UNSUPPORTED, "Aprovamos o desconto?\nSim\nNão")


def test_evidence_copies_without_recursion_and_drops_any_apikey() -> None:
    deep: dict[str, Any] = {"leaf": True}
    for _ in range(5000):
        deep = {"x": deep}
    data = {"key": {"id": "1"}, "apikey": "s1", "nested": [{"apiKey": "s2", "ok": 1}], "deep": deep}

    copied = evidence(data)

    assert copied["nested"] == [{"ok": 1}]
    assert "apikey" not in copied
    assert copied["deep"] is not deep


HOSTILE: list[Any] = [
    None, 0, -1, 1e308, True, "", "messages.upsert", [], [None], {}, {"event": None}, {"event": ["x"]},
    {"event": "messages.upsert", "data": None}, {"event": "messages.upsert", "data": [1, None, "x", {"key": "x"}]},
    {"event": "messages.upsert", "data": {"key": {"id": 5, "remoteJid": 7}, "message": []}},
    {"event": "messages.upsert", "data": {"key": {"id": "A", "remoteJid": "1@s.whatsapp.net"}, "message": {"a": 1},
                                          "messageTimestamp": 1e30}},
    {"event": "messages.upsert", "data": {"key": {"id": "A", "remoteJid": "1@s.whatsapp.net"},
                                          "message": {"imageMessage": None, "base64": 5}, "messageTimestamp": "nan"}},
    {"event": "messages.edited", "data": {"type": [], "key": None}}, {"event": "messages.delete", "data": "x"},
    {"event": "messages.update", "data": {"keyId": "A", "fromMe": True, "status": {"x": 1}}},
    {"event": "messages.update", "data": {"keyId": "A", "fromMe": True, "status": 99.5}},
    {"event": "connection.update", "data": {"state": {}, "statusReason": "x"}},
    {"event": "groups.upsert", "data": [{"id": 1, "subject": {}}]}, {"event": "messaging-history.set", "data": "x"},
    {"event": "messages.upsert", "date_time": "2024-13-45", "data": {"messageTimestamp": {"low": "x", "high": 1}}},
]  # fmt: skip


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_bodies_never_raise(body: Any) -> None:
    parse_envelope(body)


def test_randomly_mangled_samples_never_raise() -> None:
    rng = random.Random(20240301)
    values: list[Any] = [None, 0, -7, 3.5, True, "", "x", "1@lid", "1@g.us", [], {}, [1, "a"], {"0": 300}, 14, "REVOKE"]
    samples = [load(p.name) for p in sorted(SAMPLES.glob("*.json"))]
    for _ in range(3000):
        body = copy.deepcopy(rng.choice(samples))
        for _ in range(rng.randint(1, 4)):
            _mangle(body, rng, values)
        parse_envelope(body)


def _mangle(node: Any, rng: random.Random, values: list[Any]) -> None:
    """Replace one random node of a JSON tree with a random value."""
    parent, key = None, None
    while isinstance(node, dict | list) and node and rng.random() < 0.8:
        parent = node
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        node = node[key]
    if parent is not None:
        parent[key] = copy.deepcopy(rng.choice(values))  # type: ignore[index]
