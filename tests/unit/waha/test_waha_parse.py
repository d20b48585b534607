"""WAHA bodies become the right events, every id form meets on one message id, nothing raises."""

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

from atalaia.connectors.waha import message_id, parse_webhook
from atalaia.domain.enums import ConversationKind, DeliveryStatus, Direction, LineStatus, MessageKind
from atalaia.domain.events import EditEvent, MessageEvent, ReactionEvent, RevokeEvent, StatusEvent

SAMPLES = Path(__file__).parents[2] / "samples" / "waha"


def load(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def only(name: str, body: Any = None) -> Any:
    [event] = parse_webhook(body if body is not None else load(name)).events
    return event


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("false_5521988887777@c.us_3EB0C431C26A1916E07E", "3EB0C431C26A1916E07E"),
        ("true_5521988887777@c.us_AAAA", "AAAA"),
        ("true_120363025246125486@g.us_4CC5EDD64BC22EBA6D639F2AF571346C_9999@lid", "4CC5EDD64BC22EBA6D639F2AF571346C"),
        ("3EB0C431C26A1916E07E", "3EB0C431C26A1916E07E"),  # editedMessageId, revokedMessageId
        ("false_not-a-chat_AAAA", "false_not-a-chat_AAAA"),  # not the documented form: kept whole
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_every_id_form_is_reduced_to_the_bare_message_id(value: Any, expected: str | None) -> None:
    assert message_id(value) == expected


def test_message_and_message_any_are_the_same_message() -> None:
    first = only("message_text.json")
    second = only("message_any_text.json")

    assert isinstance(first, MessageEvent)
    assert first == second
    assert (first.provider_message_id, first.direction, first.kind) == ("3EB0C431C26A1916E07E", Direction.INBOUND,
                                                                         MessageKind.TEXT)  # fmt: skip
    assert first.author is not None
    assert (first.author.key, first.author.name) == ("wa:5521988887777", "Maria Cliente")
    assert first.sent_at == datetime.fromtimestamp(1709301900, UTC)


def test_the_lines_own_message_is_outbound_and_its_reply_meets_the_bare_id() -> None:
    event = only("message_any_outbound.json")

    assert isinstance(event, MessageEvent)
    assert (event.direction, event.author, event.conversation.key) == (Direction.OUTBOUND, None, "wa:5521988887777")
    assert event.reply_to == "3EB0C431C26A1916E07E"


def test_a_group_message_from_a_lid_participant_is_authored_by_its_phone() -> None:
    event = only("message_group_lid.json")

    assert isinstance(event, MessageEvent)
    assert (event.conversation.key, event.conversation.kind) == (
        "group:120363025246125486@g.us",
        ConversationKind.GROUP,
    )
    assert event.provider_message_id == "A5C1D2E3F4051699"
    assert event.author is not None
    assert (event.author.key, event.author.lid, event.author.name) == (
        "wa:5511977776666",
        "987654321012345@lid",
        "João Fornecedor",
    )


def test_media_is_referenced_by_its_url_and_never_fetched() -> None:
    event = only("message_media.json")

    assert isinstance(event, MessageEvent)
    assert event.kind is MessageKind.DOCUMENT
    [attachment] = event.attachments
    assert attachment.provider_media_id is not None
    assert attachment.provider_media_id.startswith("http://waha:3000/api/files/")
    assert (attachment.file_name, attachment.content) == ("clientes.xlsx", None)
    assert attachment.sha256 == hashlib.sha256(b"planilha").hexdigest()


@pytest.mark.parametrize(
    ("mime", "kind"),
    [
        ("image/jpeg", MessageKind.IMAGE),
        ("image/webp", MessageKind.STICKER),
        ("audio/ogg; codecs=opus", MessageKind.AUDIO),
        ("video/mp4", MessageKind.VIDEO),
        (None, MessageKind.DOCUMENT),
    ],
)
def test_media_kind_follows_the_mimetype_without_an_engine_hint(mime: str | None, kind: MessageKind) -> None:
    body = load("message_media.json")
    body["payload"]["media"]["mimetype"] = mime
    body["payload"]["_data"] = {}

    assert only("", body).kind is kind


def test_a_voice_note_hinted_by_the_engine_is_audio() -> None:
    body = load("message_media.json")
    body["payload"]["_data"]["type"] = "ptt"

    assert only("", body).kind is MessageKind.AUDIO


@pytest.mark.parametrize(("ack", "status"), [(-1, DeliveryStatus.FAILED), (1, DeliveryStatus.SENT),
                                             (2, DeliveryStatus.DELIVERED), (3, DeliveryStatus.READ),
                                             (4, DeliveryStatus.PLAYED)])  # fmt: skip
def test_acks_are_statuses_of_the_lines_messages(ack: int, status: DeliveryStatus) -> None:
    body = load("message_ack_read.json")
    body["payload"]["ack"] = ack

    event = only("", body)

    assert isinstance(event, StatusEvent)
    assert (event.target_message_id, event.status, event.recipient) == (
        "3EB0OUT0000000000001",
        status,
        "5521988887777@c.us",
    )
    assert event.at == datetime.fromtimestamp(1709302100, UTC)


def test_pending_acks_and_acks_of_received_messages_are_not_kept() -> None:
    pending = load("message_ack_read.json")
    pending["payload"]["ack"] = 0
    received = load("message_ack_read.json")
    received["payload"]["fromMe"] = False

    assert parse_webhook(pending).events == []
    assert parse_webhook(received).events == []


def test_an_ack_named_only_by_ack_name_is_read() -> None:
    body = load("message_ack_read.json")
    del body["payload"]["ack"]

    assert only("", body).status is DeliveryStatus.READ


def test_an_edit_targets_the_bare_edited_message_id() -> None:
    event = only("message_edited.json")

    assert isinstance(event, EditEvent)
    assert (event.target_message_id, event.new_text) == ("3EB0OUT0000000000001", "Claro! Te envio a proposta amanhã.")
    assert event.conversation.key == "wa:5521988887777"
    assert event.provider_event_id is None  # derived by the archive from target, time and text


def test_a_revocation_targets_the_revoked_message() -> None:
    event = only("message_revoked.json")

    assert isinstance(event, RevokeEvent)
    assert (event.target_message_id, event.by_line, event.provider_event_id) == (
        "3EB0C431C26A1916E07E",
        False,
        "revoke:3EB0C431C26A1916E07E",
    )
    assert event.conversation.key == "wa:5521988887777"


def test_a_revocation_without_its_action_message_is_left_to_the_service() -> None:
    body = load("message_revoked.json")
    body["payload"]["after"] = None

    parsed = parse_webhook(body)

    assert parsed.events == []
    [event] = parsed.unplaced
    assert event.conversation.key == ""


def test_the_verbatim_reaction_and_its_removal() -> None:
    body = load("message_reaction_verbatim.json")
    event = only("", body)
    body["payload"]["reaction"]["text"] = ""
    removal = only("", body)

    assert isinstance(event, ReactionEvent)
    assert (event.target_message_id, event.emoji) == ("11111111111111111111111111111111", "🙏")
    assert event.author is not None
    assert event.author.key == "wa:79111111"
    assert isinstance(removal, ReactionEvent)
    assert removal.emoji == ""


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("WORKING", LineStatus.CONNECTED),
        ("SCAN_QR_CODE", LineStatus.PENDING),
        ("STOPPED", LineStatus.DISCONNECTED),
        ("FAILED", LineStatus.DISCONNECTED),
        ("STARTING", None),
    ],
)
def test_session_status_sets_the_line_status(status: str, expected: LineStatus | None) -> None:
    body = load("session_status_working.json")
    body["payload"]["status"] = status

    parsed = parse_webhook(body)

    assert parsed.line_status == expected
    assert parsed.instance == "vendas-bruno"
    assert parsed.problems == []


def test_an_event_without_messages_is_only_journaled() -> None:
    parsed = parse_webhook(load("poll_vote.json"))

    assert parsed.events == []
    assert parsed.problems == ["event 'poll.vote' carries no messages; kept in the journal only"]


def test_a_location_and_contacts_have_readable_text() -> None:
    body = load("message_text.json")
    body["payload"].update(body="", location={"latitude": "-22.9", "longitude": "-43.2", "description": "Escritório"})
    location = only("", body)
    body = load("message_text.json")
    body["payload"].update(
        body="", vCards=["BEGIN:VCARD\nFN:Ana Souza\nTEL;waid=5521977776666:+55 21 97777-6666\nEND:VCARD"]
    )
    contacts = only("", body)

    assert (location.kind, location.text) == (MessageKind.LOCATION, "Escritório")
    assert (contacts.kind, contacts.text) == (MessageKind.CONTACTS, "Ana Souza +55 21 97777-6666")


def test_an_empty_message_is_kept_as_unsupported() -> None:
    body = load("message_text.json")
    body["payload"].update(body=None, _data={"type": "e2e_notification"})

    event = only("", body)

    assert event.kind is MessageKind.UNSUPPORTED
    assert event.raw == body["payload"]


def test_nowebs_baileys_content_refines_the_kind_and_forwarding() -> None:
    body = load("message_group_lid.json")
    body["payload"]["_data"]["message"] = {
        "stickerMessage": {"mimetype": "image/webp", "fileSha256": base64.b64encode(b"\x01" * 32).decode(),
                           "contextInfo": {"isForwarded": True, "forwardingScore": 2}}
    }  # fmt: skip
    body["payload"].update(hasMedia=True, body="", media={"url": "http://waha/x.webp", "mimetype": "image/webp"})

    event = only("", body)

    assert (event.kind, event.forwarded, event.frequently_forwarded) == (MessageKind.STICKER, True, False)
    assert event.attachments[0].sha256 == "01" * 32


HOSTILE: list[Any] = [
    None, 1, "message", [], {}, {"event": 5}, {"event": "message", "payload": None},
    {"event": "message", "payload": {"id": [], "timestamp": "soon", "from": 1}},
    {"event": "message", "payload": {"id": "true_x@c.us_", "timestamp": 1e40, "fromMe": True, "to": "a@g.us"}},
    {"event": "message.ack", "payload": {"id": "A", "fromMe": True, "ack": 2.5}},
    {"event": "message.ack", "payload": {"id": "A", "fromMe": True, "ack": float("inf")}},
    {"event": "message.revoked", "payload": {"after": [], "before": "x", "revokedMessageId": {}}},
    {"event": "message.reaction", "payload": {"reaction": None}}, {"event": "session.status", "payload": {"status": 3}},
    {"event": "group.v2.update", "payload": {"group": {"id": "1@g.us", "subject": None}}},
    {"event": "message", "payload": {"id": "B", "timestamp": 1709301900, "from": "1@c.us", "hasMedia": True,
                                     "media": {"mimetype": 5, "url": ["x"]}, "_data": {"message": "nope", "Info": 3}}},
]  # fmt: skip


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_bodies_never_raise(body: Any) -> None:
    parse_webhook(body)


def test_randomly_mangled_samples_never_raise() -> None:
    rng = random.Random(20240302)
    values: list[Any] = [None, 0, -1, 2.5, False, "", "x", "1@lid", "1@g.us", "true_1@c.us_X", [], {}, {"a": []}]
    samples = [load(p.name) for p in sorted(SAMPLES.glob("*.json"))]
    for _ in range(3000):
        body = copy.deepcopy(rng.choice(samples))
        for _ in range(rng.randint(1, 4)):
            node, parent, key = body, None, None
            while isinstance(node, dict | list) and node and rng.random() < 0.8:
                parent = node
                key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
                node = node[key]
            if parent is not None:
                parent[key] = copy.deepcopy(rng.choice(values))  # type: ignore[index]
        parse_webhook(body)
