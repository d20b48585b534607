"""What the export tests archive: one chat with Maria holding every kind of record, and a group.

- m1: Maria greets; m2: Bruno sends a proposal, edits 10% to 15%, Maria reacts 👍, it is read;
- m3: a spreadsheet formula; m4: deleted for everyone (its text kept); m5: a reply to m2;
- m6: a stored PDF; m7: a photo not downloaded yet; m8: hostile text (markup, bidi overrides,
  Unicode line separators, 100,000 characters); f1..f5: more formula triggers;
- g1, g2 in a group: João writes, then a system line says Maria left.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Alert, Message
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

JOAO: Final = ContactRef(key="wa:5511977776666", wa_id="5511977776666", phone="+5511977776666", name="João Fornecedor")
PDF_BYTES: Final = b"%PDF-1.4 proposta comercial"
HOSTILE: Final = "<script>alert(1)</script> \u202eevil\u202c linha\u2028nova\x85fim " + "x" * 100_000 + " FIM"
FORMULAS: Final = {"f1": "@SUM(A1)", "f2": "-2+3", "f3": "+5521999990000", "f4": "\tTAB", "f5": "\rCR"}
EDITED: Final = "Segue a proposta: 15% de desconto"
ORIGINAL: Final = "Segue a proposta: 10% de desconto"


def archive_story(setup: ArchiveSetup) -> dict[str, int]:
    """Archive the story; returns provider id -> message id."""
    setup.archive(
        [
            inbound("m1", "Olá, bom dia! Pode mandar a proposta?"),
            outbound("m2", ORIGINAL, minutes=2),
            inbound("m3", "=1+1", minutes=3),
            inbound("m4", "Apague isso: CPF 529.982.247-25 👍", minutes=4),
            replace(inbound("m5", "Obrigada pelo desconto", minutes=5), reply_to="m2"),
            inbound("m6", "segue o PDF", minutes=6,
                    attachments=(AttachmentRef(file_name="proposta.pdf", mime_type="application/pdf",
                                               content=PDF_BYTES),)),
            inbound("m7", "foto", minutes=7,
                    attachments=(AttachmentRef(file_name="foto.jpg", mime_type="image/jpeg",
                                               provider_media_id="media-7"),)),
            inbound("m8", HOSTILE, minutes=8),
            *(inbound(pid, text, minutes=9) for pid, text in FORMULAS.items()),
            MessageEvent("g1", group(), Direction.INBOUND, MessageKind.TEXT, T0, text="Bom dia, equipe", author=JOAO),
            MessageEvent("g2", group(), Direction.INBOUND, MessageKind.SYSTEM, T0 + timedelta(minutes=1),
                         text="Maria Cliente saiu"),
        ]
    )  # fmt: skip
    setup.archive(
        [
            EditEvent("m2", chat_with(), EDITED, T0 + timedelta(minutes=20), "e1"),
            RevokeEvent("m4", chat_with(), T0 + timedelta(minutes=21), by_line=False, provider_event_id="r1"),
            ReactionEvent("m2", chat_with(), "👍", T0 + timedelta(minutes=22), "x1", author=MARIA),
            StatusEvent("m2", DeliveryStatus.READ, T0 + timedelta(minutes=23)),
        ]
    )
    with setup.runtime.sessions() as session:
        return {row[0]: row[1] for row in session.execute(select(Message.provider_message_id, Message.id))}


def conversation_of(setup: ArchiveSetup, message_id: int) -> int:
    with setup.runtime.sessions() as session:
        return session.execute(select(Message.conversation_id).where(Message.id == message_id)).scalar_one()


def add_case(setup: ArchiveSetup, conversation_id: int) -> int:
    """An alert (a case) on this conversation, as the compliance scan would raise it."""
    now = datetime.now(UTC)
    with transaction(setup.runtime.sessions) as session:
        alert = Alert(
            tenant_id=setup.tenant.id, conversation_id=conversation_id, line_id=setup.line.id, policy="conduta",
            rule="propina", title="Conduta", severity="critical", category="risk", window_key="2024-03-01",
            first_hit_at=T0, last_hit_at=T0, hit_count=1, status="open", created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(alert)
        session.flush()
        return alert.id
