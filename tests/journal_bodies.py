"""Cloud API webhook bodies for the journal redaction tests: Maria (the subject) and João.

Maria writes under her phone, under the old 8-digit WhatsApp id and under her BSUID alone; one of
her bodies was journaled but never archived (a crash). João writes too, once about a number that
merely contains Maria's digits.
"""

from __future__ import annotations

import json
from typing import Any

from atalaia.db.engine import transaction
from atalaia.domain.enums import JournalStatus
from atalaia.journal import append_entry
from atalaia.services.ingest import process_cloud_entry
from tests.conftest import ArchiveSetup

PHONE_NUMBER_ID = "106540352242922"  # archive_setup's line
MARIA = "5521988887777"
MARIA_OLD = "552188887777"  # the same mobile before the ninth digit
MARIA_BSUID = "BR.maria0000001"
JOAO = "5521977776666"


def cloud_body(*, message_id: str, text: str, wa_id: str | None, bsuid: str | None = None, name: str = "") -> bytes:
    contact: dict[str, Any] = {"profile": {"name": name}}
    message: dict[str, Any] = {"id": message_id, "timestamp": "1709301900", "type": "text", "text": {"body": text}}
    if wa_id:
        contact["wa_id"], message["from"] = wa_id, wa_id
    if bsuid:
        contact["user_id"], message["from_user_id"] = bsuid, bsuid
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5521999990000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [contact],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body, ensure_ascii=False).encode()


BODIES = {
    "maria": cloud_body(message_id="wamid.M1", text="quero cancelar o contrato", wa_id=MARIA, bsuid=MARIA_BSUID,
                        name="Maria Cliente"),
    "maria_old": cloud_body(message_id="wamid.M2", text="meu número antigo", wa_id=MARIA_OLD, name="Maria"),
    "maria_bsuid": cloud_body(message_id="wamid.M3", text="só pelo identificador", wa_id=None, bsuid=MARIA_BSUID),
    "joao": cloud_body(message_id="wamid.J1", text="orçamento de parafusos", wa_id=JOAO, name="João Fornecedor"),
    "joao_digits": cloud_body(message_id="wamid.J2", text=f"o pedido 1{MARIA}0 chegou", wa_id=JOAO, name="João"),
    "maria_crash": cloud_body(message_id="wamid.M9", text="mensagem que ficou só no diário", wa_id=MARIA,
                              name="Maria Cliente"),
    "joao_crash": cloud_body(message_id="wamid.J9", text="pregos também", wa_id=JOAO, name="João Fornecedor"),
}  # fmt: skip
ARCHIVED = ("maria", "maria_old", "maria_bsuid", "joao", "joao_digits")


def journal_story(archive_setup: ArchiveSetup) -> dict[str, int]:
    """Every body journaled (and a rejected one naming Maria); the first five archived, the `crash` ones not."""
    runtime = archive_setup.runtime
    ids: dict[str, int] = {}
    with transaction(runtime.sessions) as session:
        for name, body in BODIES.items():
            ids[name] = append_entry(session, source="cloud", body=body, headers={})
        ids["rejected_maria"] = append_entry(
            session, source="cloud", body=f'{{"from": "{MARIA}", "text": "forjado"}}'.encode(), headers={},
            status=JournalStatus.REJECTED, reason="invalid X-Hub-Signature-256",
        )  # fmt: skip
    for name in ARCHIVED:
        assert process_cloud_entry(runtime, entry_id=ids[name], body=BODIES[name]).result.new == 1
    return ids
