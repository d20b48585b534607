"""A small archive for retention, hold and erasure tests: old and recent chats with every record kind.

Maria (a customer) and João (a supplier) write to the line. Everything at T0 is "old"; two
messages 40 days later are "recent". Maria's first message is edited and then deleted for
everyone, her second carries a PDF (stored inline), the line's reply got her 👍 and a read status.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from atalaia.archive.chain import checkpoint_now
from atalaia.archive.verify import VerifyReport, verify_tenant
from atalaia.db.engine import transaction
from atalaia.db.models import Message
from atalaia.domain.enums import DeliveryStatus
from atalaia.domain.events import (
    AttachmentRef,
    ContactRef,
    EditEvent,
    ReactionEvent,
    RevokeEvent,
    StatusEvent,
)
from atalaia.search import search
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, T0, chat_with, inbound, outbound

DAY = 24 * 60  # minutes
RECENT = T0 + timedelta(days=40)
JOAO = ContactRef(key="wa:5521977776666", wa_id="5521977776666", phone="+5521977776666", name="João Fornecedor")
PDF = b"%PDF-1.4 boleto da Maria"
PDF_SHA = hashlib.sha256(PDF).hexdigest()


@dataclass(frozen=True)
class Story:
    setup: ArchiveSetup

    @property
    def tenant_id(self) -> int:
        return self.setup.tenant.id

    def message_id(self, provider_id: str) -> int:
        with self.setup.runtime.sessions() as session:
            return int(
                session.execute(select(Message.id).where(Message.provider_message_id == provider_id)).scalar_one()
            )

    def exists(self, provider_id: str) -> bool:
        with self.setup.runtime.sessions() as session:
            found = session.execute(select(Message.id).where(Message.provider_message_id == provider_id)).first()
        return found is not None

    def count(self, table: str) -> int:
        with self.setup.runtime.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    def scalar(self, sql: str, **params: object) -> Any:
        with self.setup.runtime.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def tamper(self, sql: str, **params: object) -> None:
        with self.setup.runtime.engine.connect() as conn:
            conn.execute(text(sql), params)
            conn.commit()

    def blob_stored(self, sha256: str = PDF_SHA) -> bool:
        blobs = self.setup.runtime.blobs
        return blobs.backend.exists(blobs.key_for(tenant_id=self.tenant_id, sha256=sha256))

    def found(self, query: str) -> int:
        with transaction(self.setup.runtime.sessions) as session:
            return search(session, tenant_id=self.tenant_id, query=query, actor="test").total

    def verify(self) -> VerifyReport:
        with self.setup.runtime.sessions() as session:
            return verify_tenant(session, tenant_id=self.tenant_id, public_key=self.setup.tenant.signing_public_key)

    def messages(self) -> int:
        with self.setup.runtime.sessions() as session:
            return int(session.execute(select(func.count()).select_from(Message)).scalar_one())


def tell(setup: ArchiveSetup) -> Story:
    """Archive the story and sign a checkpoint."""
    setup.archive(
        [
            inbound("m1", "quero cancelar o contrato", minutes=0),
            inbound(
                "m2",
                "segue o boleto",
                minutes=1,
                attachments=(AttachmentRef(file_name="boleto.pdf", caption="boleto de março", content=PDF),),
            ),
            outbound("o1", "recebido, obrigado", minutes=2),
            inbound("j1", "orçamento de parafusos", minutes=3, contact=JOAO),
        ]
    )
    setup.archive(
        [
            EditEvent("m1", chat_with(), "quero cancelar o contrato hoje", at(5), "E1", raw={"from": "5521988887777"}),
            ReactionEvent("o1", chat_with(), "👍", at(6), "X1", author=MARIA, raw={"from": "5521988887777"}),
            StatusEvent("o1", DeliveryStatus.READ, at(7), recipient="5521988887777", raw={"recipient_id": "x"}),
            RevokeEvent("m1", chat_with(), at(8), by_line=False, provider_event_id="R1", raw={"from": "55219"}),
        ]
    )
    setup.archive(
        [
            inbound("m3", "novo pedido de cadeiras", minutes=40 * DAY),
            inbound("j2", "novo orçamento de pregos", minutes=40 * DAY + 1, contact=JOAO),
        ]
    )
    with transaction(setup.runtime.sessions) as session:
        checkpoint_now(session, tenant_id=setup.tenant.id, signer=lambda: setup.runtime.signer(setup.tenant))
    return Story(setup)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)
