"""Cloud API notifications become the right events, and nothing hostile raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from atalaia.connectors.cloud_api import parse_notification
from atalaia.connectors.cloud_api.signature import sign, signature_valid
from atalaia.domain.enums import DeliveryStatus, Direction, MessageKind
from atalaia.domain.events import EditEvent, MessageEvent, ReactionEvent, RevokeEvent, StatusEvent

SAMPLES = Path(__file__).parents[2] / "samples" / "cloud_api"


def load(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def test_a_text_message_with_an_ad_referral() -> None:
    [change] = parse_notification(load("text_with_referral.json"))

    assert change.phone_number_id == "106540352242922"
    [event] = change.events
    assert isinstance(event, MessageEvent)
    assert event.direction is Direction.INBOUND
    assert event.text == "Olá! Vi o anúncio, qual o preço do plano?"
    assert event.sent_at == datetime(2024, 3, 1, 14, 5, tzinfo=UTC)
    assert event.author is not None
    assert (event.author.key, event.author.name, event.author.phone) == (
        "wa:5521988887777",
        "Maria Cliente",
        "+5521988887777",
    )
    assert event.referral is not None
    assert event.referral["headline"] == "Plano Empresa"


def test_a_batch_is_routed_per_change_with_media_replies_reactions_and_statuses() -> None:
    first, second = parse_notification(load("batch_media_reply_status.json"))

    assert (first.phone_number_id, second.phone_number_id) == ("106540352242922", "207777777777777")
    document, voice, reaction, unknown, location = first.events
    assert isinstance(document, MessageEvent)
    assert document.kind is MessageKind.DOCUMENT
    assert document.reply_to == "wamid.OUT1"
    assert document.author is not None
    assert document.author.key == "bsuid:BR.1349120865530274191"  # keyed by BSUID, phone kept
    assert document.author.wa_id == "5511977776666"
    [attachment] = document.attachments
    assert attachment.file_name == "clientes.xlsx"
    assert attachment.provider_media_id == "1003383421387256"
    assert attachment.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert isinstance(voice, MessageEvent)
    assert (voice.kind, voice.forwarded) == (MessageKind.AUDIO, True)
    assert isinstance(reaction, ReactionEvent)
    assert (reaction.target_message_id, reaction.emoji) == ("wamid.OUT1", "👍")
    assert isinstance(unknown, MessageEvent)
    assert unknown.kind is MessageKind.UNSUPPORTED
    assert unknown.raw == {"from": "5511977776666", "id": "wamid.NEW1", "timestamp": "1709302030",
                           "type": "some_future_type", "some_future_type": {"x": 1}}  # fmt: skip
    assert isinstance(location, MessageEvent)
    assert location.text == "Escritório — Av. Rio Branco, 1"
    statuses = [e for e in second.events if isinstance(e, StatusEvent)]
    assert [s.status for s in statuses] == [
        DeliveryStatus.READ,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
    ]
    assert statuses[2].errors[0]["code"] == 131047
    assert any("teleported" in p for p in second.problems)


def test_coexistence_echoes_edits_revokes_and_history() -> None:
    echoes, customer, history = parse_notification(load("coexistence_echo_edit_revoke.json"))

    sent, edit, revoke = echoes.events
    assert isinstance(sent, MessageEvent)
    assert (sent.direction, sent.author, sent.conversation.key) == (
        Direction.OUTBOUND,
        None,
        "wa:5521988887777",
    )
    assert isinstance(edit, EditEvent)
    assert (edit.target_message_id, edit.new_text) == ("wamid.ECHO1", "Te faço 10% de desconto")
    assert isinstance(revoke, RevokeEvent)
    assert (revoke.target_message_id, revoke.by_line) == ("wamid.ECHO1", True)
    [customer_revoke] = customer.events
    assert isinstance(customer_revoke, RevokeEvent)
    assert customer_revoke.by_line is False
    old_in, old_out = history.events
    assert isinstance(old_in, MessageEvent)
    assert isinstance(old_out, MessageEvent)
    assert (old_in.direction, old_out.direction) == (Direction.INBOUND, Direction.OUTBOUND)
    assert old_out.conversation.key == "wa:5521988887777"
    assert history.history_progress == 55


@pytest.mark.parametrize(
    "body",
    [
        None, 42, "texto", [], {}, {"entry": "x"}, {"entry": [None, 1, {"changes": [None, {"value": []}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"id": 5}, {"type": "text"}, None]}}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"messages": [
            {"from": "55", "id": "wamid.X", "timestamp": "99999999999999999999", "type": "text"}]}}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"statuses": [{"id": "w", "status": "read"}]}}]}]},
    ],
)  # fmt: skip
def test_malformed_bodies_never_raise(body: Any) -> None:
    for change in parse_notification(body):
        assert all(not isinstance(e, MessageEvent) or e.provider_message_id for e in change.events)


def test_signature_is_checked_over_the_exact_bytes() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    header = sign(body=body, app_secret="segredo-do-app")

    assert signature_valid(body=body, header=header, app_secret="segredo-do-app")
    assert not signature_valid(body=body + b" ", header=header, app_secret="segredo-do-app")
    assert not signature_valid(body=body, header=header, app_secret="outro")
    assert not signature_valid(body=body, header=None, app_secret="segredo-do-app")
    assert not signature_valid(body=body, header="sha1=" + header[7:], app_secret="segredo-do-app")
    assert not signature_valid(body=body, header=header, app_secret="")
