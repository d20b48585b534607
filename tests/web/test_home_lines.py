"""The home page's lines table: status, backfill progress and media problems, for whole-tenant roles only."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from atalaia.db.engine import transaction
from atalaia.db.models import Attachment, Line
from atalaia.domain.enums import Direction, MessageKind
from atalaia.domain.events import AttachmentRef, ContactRef, ConversationRef, MessageEvent
from atalaia.services.lines import record_history_progress
from tests.web.conftest import Story, sign_in


def test_compliance_sees_each_line_with_its_backfill_and_media_problems(story: Story) -> None:
    setup = story.setup
    contact = ContactRef(key="wa:5511977776666", wa_id="5511977776666", name="Cliente <b>")
    chat = ConversationRef(key=contact.key, contact=contact)
    setup.archive([
        MessageEvent(provider_message_id=f"wamid.M{n}", conversation=chat, direction=Direction.INBOUND,
                     kind=MessageKind.IMAGE, sent_at=datetime(2026, 3, 1, 12, tzinfo=UTC), author=contact,
                     attachments=(AttachmentRef(provider_media_id=f"media-{n}", mime_type="image/jpeg"),))
        for n in range(3)
    ])  # fmt: skip
    with transaction(setup.runtime.sessions) as session:
        session.execute(
            update(Attachment).where(Attachment.provider_media_id == "media-0").values(download_status="failed")
        )
        record_history_progress(session, line_id=setup.line.id, phase=1, progress=40, now=datetime.now(UTC))
        session.execute(update(Line).where(Line.id == setup.line.id).values(status="disconnected"))
    sign_in(story.client, "ana@exemplo.com.br")

    page = story.client.get("/").text

    assert 'id="linhas"' in page
    assert 'value="40"' in page
    assert "fase 2 de 3 · 40%" in page
    assert "1 com falha" in page
    assert "2 aguardando" in page
    assert "disconnected" in page
    assert "Suporte" in page  # the other line, with nothing to report
    assert page.count("<tr>") >= 3


def test_a_manager_does_not_see_the_tenant_s_lines(story: Story) -> None:
    sign_in(story.client, "bruno@exemplo.com.br")

    page = story.client.get("/").text

    assert story.client.get("/").status_code == 200
    assert 'id="linhas"' not in page
