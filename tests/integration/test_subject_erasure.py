"""LGPD erasure of a data subject: content replaced everywhere, held data refused, `verify` still sound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AttachmentText, Contact, Message
from atalaia.errors import InvalidInput, NotFound
from atalaia.search import reindex_messages
from atalaia.services.governance import HoldTarget, add_hold, erase_subject, list_requests, request_as_dict
from atalaia.services.governance.erasure import MARKER
from tests.conftest import ArchiveSetup
from tests.governance_story import Story, tell


@pytest.fixture
def story(archive_setup: ArchiveSetup) -> Story:
    told = tell(archive_setup)
    attachment_id = int(told.scalar("SELECT id FROM attachments"))
    message_id = told.message_id("m2")
    with transaction(archive_setup.runtime.sessions) as session:  # the boleto's extracted text
        session.add(
            AttachmentText(
                tenant_id=told.tenant_id,
                attachment_id=attachment_id,
                status="done",
                text="Boleto bancário vencimento 10/03",
                chars=32,
                extracted_at=datetime.now(UTC),
            )
        )
        session.flush()
        reindex_messages(session, [message_id])
    return told


def erase(story: Story, phone: str = "+55 21 98888-7777", reason: str = "pedido do titular") -> dict[str, Any]:
    return erase_subject(story.setup.runtime, tenant=story.setup.tenant, phone=phone, reason=reason).as_dict()


def hold(story: Story, **target: Any) -> int:
    with transaction(story.setup.runtime.sessions) as session:
        return add_hold(
            session, tenant=story.setup.tenant, target=HoldTarget(**target), reason="ação trabalhista", owner="dpo"
        ).id


def test_erasure_replaces_the_subjects_content_everywhere(story: Story) -> None:
    assert story.found("cancelar") == 1
    assert story.found("vencimento") == 1

    result = erase(story)

    assert (result["erased"], result["held"], result["reason_refused"]) == (3, 0, None)  # m1, m2, m3
    assert result["status"] == "done"
    assert result["contacts"] == 1
    assert result["blobs_deleted"] == 1
    texts = {story.scalar("SELECT text FROM messages WHERE provider_message_id = :p", p=p) for p in ("m1", "m2")}
    assert texts == {MARKER}
    assert story.scalar("SELECT text FROM revisions") == MARKER
    assert story.scalar("SELECT caption FROM attachments") == MARKER
    assert story.scalar("SELECT file_name FROM attachments") is None
    assert story.scalar("SELECT text FROM attachment_texts") is None
    assert story.scalar("SELECT recipient FROM statuses") is None
    assert not story.blob_stored()
    for words in ("cancelar", "hoje", "boleto", "vencimento", "cadeiras"):
        assert story.found(words) == 0, words
    assert story.found("parafusos") == 1  # João is untouched
    assert story.scalar("SELECT text FROM messages WHERE provider_message_id = 'o1'") == "recebido, obrigado"
    with story.setup.runtime.sessions() as session:
        contact = session.execute(select(Contact).where(Contact.key.like("erased:%"))).scalar_one()
        raws = set(session.execute(select(Message.raw).where(Message.author_contact_id == contact.id)).scalars())
    assert (contact.phone, contact.wa_id, contact.profile_name) == (None, None, "Titular apagado (LGPD)")
    assert raws == {None}
    assert story.count("contacts") == 2  # pseudonymised, not deleted: the conversations keep their shape


def test_verify_reports_erased_rows_and_still_catches_tampering(story: Story) -> None:
    erase(story)

    verified = story.verify()

    assert verified.ok, verified.problems
    assert verified.erased == 8  # 3 messages, 1 attachment, 1 revision, 1 revocation, 1 reaction, 1 status
    story.tamper("UPDATE messages SET text = 'restaurado' WHERE provider_message_id = 'm1'")
    assert ("modified", f"message:{story.message_id('m1')}") in {(p.kind, p.record) for p in story.verify().problems}


def test_a_hold_on_some_of_their_messages_keeps_those_and_says_why(story: Story) -> None:
    hold_id = hold(story, query="cadeiras")

    result = erase(story)

    assert (result["erased"], result["held"], result["status"]) == (2, 1, "partial")
    assert f"nº {hold_id}" in result["reason_refused"]
    assert story.found("cadeiras") == 1
    assert story.found("cancelar") == 0
    assert story.scalar("SELECT count(*) FROM contacts WHERE phone = '+5521988887777'") == 1  # kept for the hold
    assert story.verify().ok


def test_a_hold_on_the_subject_refuses_the_erasure_wholly(story: Story) -> None:
    hold(story, phone="+5521988887777")

    result = erase(story)

    assert (result["erased"], result["held"], result["status"]) == (0, 3, "refused")
    assert "nada foi apagado" in result["reason_refused"]
    assert story.found("cancelar") == 1
    assert story.blob_stored()
    assert story.scalar("SELECT count(*) FROM erasures") == 0
    assert story.scalar("SELECT outcome FROM audit_log WHERE action = 'subject_erased'") == "denied"


def test_the_request_register_keeps_the_deadline_and_the_outcome(story: Story) -> None:
    hold_id = hold(story, conversation=int(story.scalar("SELECT conversation_id FROM messages LIMIT 1")))
    erase(story)  # all of Maria's messages are in the held chat: refused
    with story.setup.runtime.sessions() as session:
        requests = [request_as_dict(r) for r in list_requests(session, tenant_id=story.tenant_id)]

    assert len(requests) == 1
    assert hold_id
    request = requests[0]
    assert request["status"] == "refused"
    assert request["subject"] == "+55*******7777"
    received = datetime.fromisoformat(request["received_at"])
    assert datetime.fromisoformat(request["due_at"]) - received == timedelta(days=15)
    assert "5521988887777" not in str(story.scalar("SELECT detail FROM audit_log WHERE action = 'subject_erased'"))


def test_erasing_twice_changes_nothing_more(story: Story) -> None:
    erase(story)
    with pytest.raises(NotFound):
        erase(story)  # the number no longer leads anywhere
    assert story.verify().ok


def test_bad_requests_are_refused_before_anything_changes(story: Story) -> None:
    with pytest.raises(NotFound):
        erase(story, phone="+55 11 91234-5678")
    with pytest.raises(InvalidInput):
        erase(story, reason="  ")
    with pytest.raises(InvalidInput):
        erase(story, phone="abc")
    assert story.count("subject_requests") == 0
    assert story.found("cancelar") == 1


def test_a_whatsapp_id_names_the_subject_too(story: Story) -> None:
    assert erase(story, phone="5521988887777@s.whatsapp.net")["erased"] == 3
