"""JIDs from gateways become the same contact and conversation keys whatever the provider."""

from __future__ import annotations

from typing import Any

import pytest

from atalaia.connectors.whatsapp_ids import (
    JidKind,
    contact_for,
    conversation_for,
    parse_jid,
    same_user,
    skip_reason,
)
from atalaia.domain.enums import ConversationKind


@pytest.mark.parametrize(
    ("value", "raw", "kind"),
    [
        ("5521988887777@s.whatsapp.net", "5521988887777@s.whatsapp.net", JidKind.USER),
        ("5521988887777@c.us", "5521988887777@c.us", JidKind.USER),
        ("5521988887777:12@s.whatsapp.net", "5521988887777@s.whatsapp.net", JidKind.USER),  # a device
        ("5521988887777.0:3@s.whatsapp.net", "5521988887777@s.whatsapp.net", JidKind.USER),  # whatsmeow agent
        ("210987654321098@lid", "210987654321098@lid", JidKind.LID),
        ("210987654321098:4@lid", "210987654321098@lid", JidKind.LID),
        ("120363025246125486@g.us", "120363025246125486@g.us", JidKind.GROUP),
        ("5521999990000-1609459200@g.us", "5521999990000-1609459200@g.us", JidKind.GROUP),  # old group ids
        ("status@broadcast", "status@broadcast", JidKind.STATUS),
        ("1700000000@broadcast", "1700000000@broadcast", JidKind.BROADCAST),
        ("120363111111111111@newsletter", "120363111111111111@newsletter", JidKind.NEWSLETTER),
        ("abc@S.WhatsApp.Net", "abc@s.whatsapp.net", JidKind.USER),
    ],
)
def test_every_jid_form_is_recognised(value: str, raw: str, kind: JidKind) -> None:
    jid = parse_jid(value)

    assert jid is not None
    assert (jid.raw, jid.kind) == (raw, kind)


@pytest.mark.parametrize("value", [None, 5521988887777, "", "@s.whatsapp.net", "5521988887777", "x@", ["a@b"],
                                   "9" * 300 + "@c.us"])  # fmt: skip
def test_anything_else_is_not_a_jid(value: Any) -> None:
    assert parse_jid(value) is None


def test_a_phone_user_is_keyed_by_its_digits_on_both_spellings() -> None:
    baileys = contact_for(parse_jid("5521988887777@s.whatsapp.net"), name="Maria")
    waha = contact_for(parse_jid("5521988887777@c.us"))

    assert baileys is not None
    assert waha is not None
    assert (baileys.key, baileys.wa_id, baileys.phone, baileys.name) == (
        "wa:5521988887777",
        "5521988887777",
        "+5521988887777",
        "Maria",
    )
    assert waha.key == baileys.key


def test_a_lid_alone_is_its_own_contact_and_never_a_phone() -> None:
    contact = contact_for(parse_jid("210987654321098@lid"))

    assert contact is not None
    assert (contact.key, contact.phone, contact.wa_id, contact.lid) == (
        "lid:210987654321098",
        None,
        None,
        "210987654321098@lid",
    )


def test_a_lid_with_its_phone_alt_is_keyed_by_the_phone_and_keeps_the_lid() -> None:
    lid_first = contact_for(parse_jid("210987654321098@lid"), alt=parse_jid("5521988887777@s.whatsapp.net"))
    phone_first = contact_for(parse_jid("5521988887777@s.whatsapp.net"), alt=parse_jid("210987654321098@lid"))

    assert lid_first == phone_first
    assert lid_first is not None
    assert (lid_first.key, lid_first.phone, lid_first.lid) == (
        "wa:5521988887777",
        "+5521988887777",
        "210987654321098@lid",
    )


def test_groups_and_one_to_one_chats_have_their_conversation_keys() -> None:
    group = conversation_for(parse_jid("120363025246125486@g.us"))
    direct = conversation_for(parse_jid("5521988887777@c.us"), name="Maria")

    assert group is not None
    assert (group.key, group.kind, group.contact) == ("group:120363025246125486@g.us", ConversationKind.GROUP, None)
    assert direct is not None
    assert (direct.key, direct.kind) == ("wa:5521988887777", ConversationKind.DIRECT)
    assert direct.contact is not None
    assert direct.contact.name == "Maria"


def test_status_updates_and_channels_are_not_conversations() -> None:
    for value in ("status@broadcast", "120363111111111111@newsletter"):
        jid = parse_jid(value)
        assert jid is not None
        assert skip_reason(jid) is not None
        assert conversation_for(jid) is None


def test_the_same_person_on_two_devices_is_the_same_user() -> None:
    assert same_user(parse_jid("5521999990000:3@s.whatsapp.net"), parse_jid("5521999990000@s.whatsapp.net"))
    assert not same_user(parse_jid("5521999990000@s.whatsapp.net"), parse_jid("5521999990000@lid"))
    assert not same_user(None, parse_jid("5521999990000@s.whatsapp.net"))
