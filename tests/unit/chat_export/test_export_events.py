"""Exported messages as domain events: directions, contacts, stable ids, UTC times, media."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from atalaia.connectors.chat_export import (
    ExportedMessage,
    ExportKind,
    collect_authors,
    contact_ref_for,
    conversation_ref_for,
    read_export,
    to_message_events,
)
from atalaia.domain.enums import ConversationKind, Direction, MessageKind
from atalaia.domain.events import MessageEvent
from tests.unit.chat_export.conftest import SAMPLES, MakeZip

SP = ZoneInfo("America/Sao_Paulo")


def _message(text: str, *, author: str | None = "Ana", minute: int = 5, **kwargs: object) -> ExportedMessage:
    fields: dict[str, object] = {"kind": ExportKind.TEXT, "attachment": None, "edited": False}
    fields.update(kwargs)
    return ExportedMessage(datetime(2024, 3, 1, 14, minute), author, text, **fields)  # type: ignore[arg-type]


def _events(messages: list[ExportedMessage], **kwargs: object) -> list[MessageEvent]:
    options: dict[str, object] = {"owner_name": "Bruno", "tz": SP, "conversation_key": "export:Ana"}
    options.update(kwargs)
    return list(to_message_events(messages, **options))  # type: ignore[arg-type]


def test_the_owner_writes_outbound_without_author_and_others_inbound() -> None:
    mine, theirs, system = _events(
        [_message("oi", author="Bruno"), _message("olá"), _message("Ana saiu", author=None, kind=ExportKind.SYSTEM)]
    )
    assert (mine.direction, mine.author, mine.author_name) == (Direction.OUTBOUND, None, "Bruno")
    assert theirs.direction is Direction.INBOUND
    assert theirs.author is not None
    assert (theirs.author.key, theirs.author.name) == ("export:Ana", "Ana")
    assert (system.direction, system.author, system.kind) == (Direction.INBOUND, None, MessageKind.SYSTEM)


def test_a_phone_number_author_is_keyed_by_whatsapp_id() -> None:
    contact = contact_ref_for("+55 21 99999-0000")
    assert (contact.key, contact.phone, contact.wa_id) == ("wa:5521999990000", "+5521999990000", "5521999990000")
    assert contact_ref_for("+1 (571) 370-4480").key == "wa:15713704480"
    assert contact_ref_for("Ana +1").key == "export:Ana +1"
    assert contact_ref_for("+12").key == "export:+12"


def test_local_wall_clock_times_become_utc() -> None:
    (event,) = _events([_message("oi")])
    assert event.sent_at == datetime(2024, 3, 1, 17, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (ExportKind.TEXT, MessageKind.TEXT),
        (ExportKind.MEDIA, MessageKind.MEDIA),
        (ExportKind.DELETED, MessageKind.DELETED),
        (ExportKind.SYSTEM, MessageKind.SYSTEM),
    ],
)
def test_kinds_map_to_domain_kinds(kind: ExportKind, expected: MessageKind) -> None:
    author = None if kind is ExportKind.SYSTEM else "Ana"
    assert _events([_message("", author=author, kind=kind)])[0].kind is expected


def test_identical_messages_in_one_minute_get_distinct_ids_by_occurrence() -> None:
    events = _events([_message("ok"), _message("ok"), _message("ok", minute=6)])
    ids = [e.provider_message_id for e in events]
    assert len(set(ids)) == 3
    assert all(i.startswith("export:") and len(i) == len("export:") + 32 for i in ids)


def test_reimporting_the_same_export_gives_the_same_ids() -> None:
    path = SAMPLES / "Conversa do WhatsApp com Vendas SP.txt"

    def ids() -> list[str]:
        with read_export(path) as reader:
            return [e.provider_message_id for e in _events(list(reader.messages()))]

    first = ids()
    assert first == ids()
    assert len(set(first)) == len(first)


def test_an_overlapping_later_export_repeats_the_ids_of_what_overlaps() -> None:
    early = [_message("a", minute=1), _message("ok", minute=2), _message("ok", minute=2), _message("b", minute=3)]
    later = [*early[1:], _message("c", minute=4)]
    early_ids = {e.provider_message_id for e in _events(early)}
    later_ids = [e.provider_message_id for e in _events(later)]
    assert later_ids[:3] == [e.provider_message_id for e in _events(early)][1:]
    assert later_ids[3] not in early_ids


def test_attachments_carry_the_bytes_the_zip_holds(make_zip: MakeZip) -> None:
    chat = (
        "13/10/2025 10:02 - Ana: IMG-20251013-WA0003.jpg (arquivo anexado)\nvitrine\n"
        "13/10/2025 10:03 - Ana: x.pdf (arquivo anexado)\n"
    )
    path = make_zip({"Conversa do WhatsApp com Ana.txt": chat, "IMG-20251013-WA0003.jpg": b"\xff\xd8"})
    with read_export(path) as reader:
        photo, missing = _events(list(reader.messages()), media=reader.media)
    (attachment,) = photo.attachments
    assert (attachment.file_name, attachment.content, attachment.mime_type) == (
        "IMG-20251013-WA0003.jpg",
        b"\xff\xd8",
        "image/jpeg",
    )
    assert (photo.text, attachment.caption) == ("vitrine", "vitrine")
    assert missing.attachments[0].content is None


def test_media_may_also_come_as_a_mapping() -> None:
    (event,) = _events([_message("", kind=ExportKind.MEDIA, attachment="a.opus")], media={"a.opus": b"OggS"})
    assert event.attachments[0].content == b"OggS"


def test_edits_and_truncation_are_kept_in_raw() -> None:
    (event,) = _events([_message("novo", edited=True, truncated=True, line=7)])
    assert event.raw == {"chat_export": {"line": 7, "edited": True, "truncated": True}}


def test_a_chat_with_more_than_two_authors_is_a_group() -> None:
    group = conversation_ref_for(key="export:Vendas", authors=["Ana", "Bruno", "Carla"], owner_name="Bruno")
    assert group.kind is ConversationKind.GROUP
    assert conversation_ref_for(key="k", authors=["Ana", "Carla"], owner_name="Bruno").kind is ConversationKind.GROUP
    direct = conversation_ref_for(key="export:Ana", authors=["Ana", "Bruno"], owner_name="Bruno", subject="Ana")
    assert direct.kind is ConversationKind.DIRECT
    assert direct.contact is not None
    assert direct.contact.key == "export:Ana"


def test_authors_are_collected_without_system_lines() -> None:
    with read_export(SAMPLES / "ios_pt_BR.txt") as reader:
        assert collect_authors(reader.messages()) == ("Ana Souza", "Carlos Mendes")


def test_a_given_conversation_is_used_as_is() -> None:
    ref = conversation_ref_for(key="export:Vendas", authors=["A", "B", "C"], owner_name=None, subject="Vendas")
    (event,) = _events([_message("oi")], conversation=ref, conversation_key=None)
    assert event.conversation is ref
    with pytest.raises(ValueError, match="conversation"):
        _events([_message("oi")], conversation_key=None)
