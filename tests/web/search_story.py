"""What Ana and the managers search for, on top of the web `story` (ana, bruno of Vendas, carla of Suporte, davi).

Vendas (the setup's line, held by Bruno Vendas): Maria asks about a lawsuit ("ação"), meetings
("reuniões"), a proposal with a PDF, sends a hostile message, deletes one; Bruno edits a price;
João, a supplier, writes too; one proposal has a compliance alert. Suporte: a confidential
proposal that nobody in Vendas may ever see, nor count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.db.models import Alert, AlertHit, Line, Message
from atalaia.domain.events import AttachmentRef, ContactRef, EditEvent, RevokeEvent
from tests.factories import T0, chat_with, inbound, outbound
from tests.web.conftest import Story

JOAO = ContactRef(key="wa:5511977776666", wa_id="5511977776666", phone="+5511977776666", name="João Fornecedor")
HOSTILE = "<script>alert(1)</script> proposta hostil"
DAY = 24 * 60


@dataclass(frozen=True)
class SearchStory:
    story: Story
    ids: dict[str, int]  # provider id -> message id
    conversations: dict[str, int]  # provider id -> conversation id
    suporte_line: int

    def names(self, message_ids: list[int] | set[int]) -> set[str]:
        by_id = {message_id: name for name, message_id in self.ids.items()}
        return {by_id[message_id] for message_id in message_ids}

    def found_in_page(self, html: str) -> set[str]:
        """Provider ids of the hits a results page links to."""
        return self.names({int(found) for found in re.findall(r'href="/conversations/\d+#m(\d+)"', html)})


def build_search_story(story: Story) -> SearchStory:
    setup = story.setup
    setup.archive(
        [
            inbound("acao", "Precisamos falar da ação judicial", minutes=1),
            outbound("reunioes", "As reuniões de vendas foram remarcadas", minutes=2),
            inbound("frase", "A reunião de vendas é amanhã", minutes=3),
            inbound("avulsas", "Vendas: a reunião ficou para depois", minutes=4),
            inbound("hostil", HOSTILE, minutes=5),
            outbound("preco", "Preço final da proposta: R$ 900", minutes=6),
            inbound("apagada", "Esquece a proposta anterior", minutes=7),
            inbound("fornecedor", "Mando a proposta do fornecedor", minutes=8, contact=JOAO),
            inbound(
                "anexo",
                "Segue a proposta assinada",
                minutes=DAY,
                attachments=(
                    AttachmentRef(file_name="contrato.pdf", mime_type="application/pdf", provider_media_id="media-1"),
                ),
            ),
        ]
    )
    setup.archive(
        [
            EditEvent(
                "preco",
                chat_with(),
                "Preço final da proposta: R$ 950",
                T0 + timedelta(minutes=9),
                provider_event_id="e1",
            ),
            RevokeEvent("apagada", chat_with(), T0 + timedelta(minutes=10), by_line=False, provider_event_id="r1"),
        ]
    )
    runtime, tenant = setup.runtime, setup.tenant
    with transaction(runtime.sessions) as session:
        suporte = session.execute(select(Line.id).where(Line.number == "+5511977770000")).scalar_one()
        archive_events(session, runtime.archive_context(tenant, line_id=suporte),
                       [inbound("secreta", "Proposta confidencial do suporte", minutes=11)])  # fmt: skip
    with transaction(runtime.sessions) as session:
        rows = session.execute(select(Message.provider_message_id, Message.id, Message.conversation_id)).all()
        ids = {name: message_id for name, message_id, _ in rows}
        conversations = {name: conversation_id for name, _, conversation_id in rows}
        _alert_on(session, tenant_id=tenant.id, line_id=setup.line.id, message_id=ids["preco"],
                  conversation_id=conversations["preco"])  # fmt: skip
    return SearchStory(story=story, ids=ids, conversations=conversations, suporte_line=suporte)


def _alert_on(session: Session, *, tenant_id: int, line_id: int, message_id: int, conversation_id: int) -> None:
    """An alert with one hit on the message, as the policy engine would leave it."""
    now = datetime.now(UTC)
    alert = Alert(
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        line_id=line_id,
        policy="negociacao",
        rule="desconto",
        title="Negociação",
        severity="medium",
        category="opportunity",
        window_key="d",
        first_hit_at=T0,
        last_hit_at=T0,
        hit_count=1,
        status="open",
        created_at=now,
        updated_at=now,
    )
    session.add(alert)
    session.flush()
    session.add(
        AlertHit(
            tenant_id=tenant_id,
            alert_id=alert.id,
            message_id=message_id,
            policy="negociacao",
            rule="desconto",
            detector="keywords",
            severity="medium",
            match="proposta",
            start=0,
            end=5,
            source="text",
            at=T0,
        )
    )
