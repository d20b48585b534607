"""The archive stores each provider message once, keeps edits and deletions, and chains it all."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from atalaia.db.models import Attachment, ChainLink, Contact, Conversation, Message, Participant, Revision
from atalaia.domain.enums import DeliveryStatus, Direction, MessageKind
from atalaia.domain.events import (
    AttachmentRef,
    ContactRef,
    EditEvent,
    MessageEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, T0, chat_with, group, inbound, outbound


def count(setup: ArchiveSetup, model: object) -> int:
    with setup.runtime.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())  # type: ignore[arg-type]


def test_it_stores_a_retried_message_once(archive_setup: ArchiveSetup) -> None:
    first = archive_setup.archive([inbound("wamid.A1"), outbound("wamid.B1")])
    again = archive_setup.archive([inbound("wamid.A1"), outbound("wamid.B1"), inbound("wamid.A2", minutes=5)])

    assert (first.new, first.duplicates) == (2, 0)
    assert (again.new, again.duplicates) == (1, 2)
    assert count(archive_setup, Message) == 3
    assert count(archive_setup, Contact) == 1
    assert count(archive_setup, Conversation) == 1
    assert count(archive_setup, ChainLink) == 3


def test_it_keeps_the_first_of_a_message_repeated_in_one_batch(archive_setup: ArchiveSetup) -> None:
    result = archive_setup.archive([inbound("wamid.X", "primeira"), inbound("wamid.X", "segunda")])

    assert (result.new, result.duplicates) == (1, 1)
    with archive_setup.runtime.sessions() as session:
        assert session.execute(select(Message.text)).scalar_one() == "primeira"


def test_an_edit_adds_a_revision_and_keeps_the_original_text(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([inbound("wamid.A1", "valor R$ 100")])
    edit = EditEvent(
        target_message_id="wamid.A1",
        conversation=chat_with(),
        new_text="valor R$ 1.000",
        edited_at=T0 + timedelta(minutes=3),
        provider_event_id="wamid.E1",
    )
    result = archive_setup.archive([edit])
    archive_setup.archive([edit])  # a retried edit changes nothing

    assert result.revisions == 1
    with archive_setup.runtime.sessions() as session:
        message = session.execute(select(Message)).scalar_one()
        revision = session.execute(select(Revision)).scalar_one()
    assert message.text == "valor R$ 100"
    assert message.edited_at == T0 + timedelta(minutes=3)
    assert (revision.text, revision.message_id) == ("valor R$ 1.000", message.id)


def test_a_revoke_marks_the_message_deleted_and_keeps_its_text(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([outbound("wamid.B1", "meu pix pessoal é 123")])
    archive_setup.archive(
        [
            RevokeEvent(
                target_message_id="wamid.B1",
                conversation=chat_with(),
                revoked_at=T0 + timedelta(minutes=2),
                by_line=True,
            )
        ]
    )

    with archive_setup.runtime.sessions() as session:
        message = session.execute(select(Message)).scalar_one()
    assert message.revoked_at == T0 + timedelta(minutes=2)
    assert message.text == "meu pix pessoal é 123"


def test_an_edit_that_arrives_before_its_message_is_linked_later(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive(
        [
            EditEvent(
                "wamid.LATE",
                chat_with(),
                "corrigido",
                T0 + timedelta(minutes=9),
                provider_event_id="wamid.E9",
            )
        ]
    )
    archive_setup.archive([inbound("wamid.LATE", "original")])

    with archive_setup.runtime.sessions() as session:
        message = session.execute(select(Message)).scalar_one()
        revision = session.execute(select(Revision)).scalar_one()
    assert revision.message_id == message.id
    assert message.edited_at == T0 + timedelta(minutes=9)


def test_reactions_and_unordered_statuses_are_all_kept(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([outbound("wamid.B1")])
    statuses = [
        StatusEvent("wamid.B1", DeliveryStatus.READ, T0 + timedelta(minutes=5)),
        StatusEvent("wamid.B1", DeliveryStatus.DELIVERED, T0 + timedelta(minutes=2)),
        StatusEvent("wamid.B1", DeliveryStatus.SENT, T0 + timedelta(minutes=1)),
    ]
    reaction = ReactionEvent("wamid.B1", chat_with(), "👍", T0 + timedelta(minutes=6), "wamid.R1", author=MARIA)
    removal = ReactionEvent("wamid.B1", chat_with(), "", T0 + timedelta(minutes=7), "wamid.R2", author=MARIA)
    first = archive_setup.archive([*statuses, reaction, removal])
    again = archive_setup.archive([*statuses, reaction, removal])

    assert (first.statuses, first.reactions) == (3, 2)
    assert (again.statuses, again.reactions) == (0, 0)


def test_attachment_bytes_are_stored_encrypted_and_chained(archive_setup: ArchiveSetup) -> None:
    pdf = b"%PDF-1.4\n" + b"proposta comercial " * 50
    archive_setup.archive(
        [inbound("wamid.D1", "segue", attachments=(AttachmentRef(file_name="proposta.pdf", content=pdf),))]
    )

    with archive_setup.runtime.sessions() as session:
        attachment = session.execute(select(Attachment)).scalar_one()
    runtime, tenant = archive_setup.runtime, archive_setup.tenant
    stored = runtime.blobs.backend.read(attachment.blob_key or "")
    assert b"proposta comercial" not in stored
    assert (
        runtime.blobs.get(tenant_id=tenant.id, data_key=runtime.data_key(tenant), sha256=attachment.sha256 or "") == pdf
    )
    assert attachment.size == len(pdf)
    assert count(archive_setup, ChainLink) == 2


def test_group_messages_record_their_participants(archive_setup: ArchiveSetup) -> None:
    joao = ContactRef(key="wa:5511977776666", wa_id="5511977776666", name="João")
    events = [
        MessageEvent(
            provider_message_id=f"3EB0{i}",
            conversation=group(),
            direction=Direction.INBOUND,
            kind=MessageKind.TEXT,
            sent_at=T0 + timedelta(minutes=i),
            text="reunião às 10h",
            author=author,
        )
        for i, author in enumerate([MARIA, joao, MARIA])
    ]
    archive_setup.archive(events)

    assert count(archive_setup, Participant) == 2
    with archive_setup.runtime.sessions() as session:
        conversation = session.execute(select(Conversation)).scalar_one()
    assert (conversation.kind, conversation.subject) == ("group", "Vendas - Equipe")


def test_hostile_text_is_bounded_not_rejected(archive_setup: ArchiveSetup) -> None:
    evil_name = "A" * 10_000
    contact = ContactRef(key="wa:5521900001111", name=evil_name)
    result = archive_setup.archive([inbound("wamid.EVIL\x00", "nul\x00byte \ud800 surrogate", contact=contact)])

    assert result.new == 1
    with archive_setup.runtime.sessions() as session:
        message = session.execute(select(Message)).scalar_one()
        stored_contact = session.execute(select(Contact)).scalar_one()
    assert "\x00" not in (message.text or "")
    assert len(stored_contact.profile_name or "") == 200


def test_a_late_old_message_does_not_move_the_conversation_back(archive_setup: ArchiveSetup) -> None:
    archive_setup.archive([inbound("wamid.NEW", minutes=10)])
    archive_setup.archive([inbound("wamid.OLD", minutes=1)])  # a history backfill arriving later

    with archive_setup.runtime.sessions() as session:
        conversation = session.execute(select(Conversation)).scalar_one()
    assert conversation.last_message_at == T0 + timedelta(minutes=10)
