"""What the subject-export tests archive: Maria (the subject), João (another customer), and a group of both.

- Maria's chat: m1 hostile text; m2 the line's proposal, edited, read, with Maria's 👍; m3 a stored
  PDF; m4 a photo never downloaded, deleted for everyone by Maria.
- Maria again, under her privacy id (`lid:...`, linked by her phone contact's `lid`): l1.
- João's own chat: j1 (a secret of his).
- The group: g1 João's, g2 Maria's (João reacts to it), g3 the line's; Maria reacts to g1.
- A notice to Maria (delivered) and one to João; an alert on Maria's chat (m1), an alert in the
  group with hits on g1 (João's) and g2 (Maria's), and a reviewer's private comment.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from atalaia.db.engine import transaction
from atalaia.db.models import Alert, AlertHit, CaseEvent, Contact, Conversation, Message, Notice
from atalaia.domain.enums import ConversationKind, DeliveryStatus, Direction, MessageKind
from atalaia.domain.events import (
    AttachmentRef,
    ContactRef,
    ConversationRef,
    EditEvent,
    MessageEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, T0, chat_with, group, inbound, outbound

JOAO: Final = ContactRef(key="wa:5511977776666", wa_id="5511977776666", phone="+5511977776666", name="João Fornecedor")
MARIA_LID: Final = ContactRef(key="lid:20918273645512", lid="20918273645512@lid", name="Maria (privacidade)")
PDF_BYTES: Final = b"%PDF-1.4 proposta comercial da Maria"
HOSTILE: Final = "<script>alert('x')</script> <img src=x onerror=alert(1)> \u202eevil\u202c & \"aspas\"\nlinha 2"
PRIVATE_COMMENT: Final = "comentário privado do revisor"
JOAO_SECRET: Final = "segredo do João"
ORIGINAL: Final = "Proposta: 10% de desconto"
EDITED: Final = "Proposta: 15% de desconto"


def _in_group(provider_id: str, text: str, author: ContactRef | None, minutes: int) -> MessageEvent:
    direction = Direction.OUTBOUND if author is None else Direction.INBOUND
    return MessageEvent(provider_id, group(), direction, MessageKind.TEXT, T0 + timedelta(minutes=minutes),
                        text=text, author=author)  # fmt: skip


def archive_subject_story(setup: ArchiveSetup) -> dict[str, int]:
    """Archive it all; returns provider id -> message id."""
    lid_chat = ConversationRef(key=MARIA_LID.key, kind=ConversationKind.DIRECT, contact=MARIA_LID)
    setup.archive(
        [
            inbound("m1", HOSTILE),
            outbound("m2", ORIGINAL, minutes=2),
            inbound("m3", "segue o PDF", minutes=3,
                    attachments=(AttachmentRef(file_name="proposta.pdf", mime_type="application/pdf",
                                               content=PDF_BYTES),)),
            inbound("m4", "foto", minutes=4,
                    attachments=(AttachmentRef(file_name="foto.jpg", mime_type="image/jpeg",
                                               provider_media_id="media-4"),)),
            replace(inbound("l1", "escrevendo pelo LID", minutes=5, contact=MARIA_LID), conversation=lid_chat),
            inbound("j1", JOAO_SECRET, minutes=6, contact=JOAO),
            _in_group("g1", "mensagem do João no grupo", JOAO, 7),
            _in_group("g2", "mensagem da Maria no grupo", MARIA, 8),
            _in_group("g3", "mensagem da empresa no grupo", None, 9),
        ]
    )  # fmt: skip
    setup.archive(
        [
            EditEvent("m2", chat_with(), EDITED, T0 + timedelta(minutes=20), "e1"),
            RevokeEvent("m4", chat_with(), T0 + timedelta(minutes=21), by_line=False, provider_event_id="r1"),
            ReactionEvent("m2", chat_with(), "👍", T0 + timedelta(minutes=22), "x1", author=MARIA),
            StatusEvent("m2", DeliveryStatus.READ, T0 + timedelta(minutes=23)),
            ReactionEvent("g2", group(), "😡", T0 + timedelta(minutes=24), "x2", author=JOAO),
            ReactionEvent("g1", group(), "👀", T0 + timedelta(minutes=25), "x3", author=MARIA),
            StatusEvent("notice-maria", DeliveryStatus.DELIVERED, T0 + timedelta(minutes=26)),
        ]
    )
    with transaction(setup.runtime.sessions) as session:
        # Her phone contact names her privacy id, as a gateway's remoteJidAlt would have told it.
        session.execute(update(Contact).where(Contact.key == MARIA.key).values(lid=MARIA_LID.lid))
        ids = {row[0]: row[1] for row in session.execute(select(Message.provider_message_id, Message.id))}
        conversations = dict(session.execute(select(Message.provider_message_id, Message.conversation_id)).all())
        contacts = dict(session.execute(select(Contact.key, Contact.id)).all())
        for key, provider_id in ((MARIA.key, "m1"), (JOAO.key, "j1")):
            session.add(
                Notice(tenant_id=setup.tenant.id, line_id=setup.line.id, contact_id=contacts[key],
                       conversation_id=conversations[provider_id], status="sent",
                       text=f"Aviso: esta conversa é gravada ({key})",
                       provider_message_id=f"notice-{'maria' if key == MARIA.key else 'joao'}",
                       created_at=T0, sent_at=T0)
            )  # fmt: skip
        _alert(session, setup, conversations["m1"], "dados", [("m1", ids["m1"])])
        group_alert = _alert(session, setup, conversations["g1"], "conduta", [("g1", ids["g1"]), ("g2", ids["g2"])])
        session.add(CaseEvent(tenant_id=setup.tenant.id, alert_id=group_alert, at=T0, actor="ana@empresa.com.br",
                              kind="comment", detail={"text": PRIVATE_COMMENT}))  # fmt: skip
    return ids


def _alert(session: Session, setup: ArchiveSetup, conversation_id: int, policy: str,
           hits: list[tuple[str, int]]) -> int:  # fmt: skip
    now = datetime.now(UTC)
    alert = Alert(
        tenant_id=setup.tenant.id, conversation_id=conversation_id, line_id=setup.line.id, policy=policy,
        rule="regra", title=f"Política {policy}", severity="high", category="risk", window_key="2024-03-01",
        first_hit_at=T0, last_hit_at=T0, hit_count=len(hits), status="open", created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(alert)
    session.flush()
    for provider_id, message_id in hits:
        session.add(
            AlertHit(tenant_id=setup.tenant.id, alert_id=alert.id, message_id=message_id, policy=policy,
                     rule="regra", detector="keywords", severity="high", match=f"***{provider_id}***", start=0,
                     end=3, source="text", at=T0)
        )  # fmt: skip
    return alert.id


def conversation_ids(setup: ArchiveSetup) -> dict[str, int]:
    """provider message id -> its conversation id."""
    with setup.runtime.sessions() as session:
        return dict(session.execute(select(Message.provider_message_id, Message.conversation_id)).all())


def group_conversation(setup: ArchiveSetup) -> int:
    with setup.runtime.sessions() as session:
        return session.execute(select(Conversation.id).where(Conversation.kind == "group")).scalar_one()
