"""LGPD correction (art. 18 III): Maria asks to be named correctly and to record her e-mail.

The corrected values are what Atalaia shows from then on; the values they replaced stay sealed,
readable with the tenant's key and audited; the chain still verifies; bad input stores nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, Contact, ContactCorrection, SubjectRequest
from atalaia.errors import InvalidInput, NotFound, TamperedData
from atalaia.search import search
from atalaia.security.keys import open_sealed
from atalaia.services.governance import CorrectionRequest, correct_subject, erase_subject
from atalaia.services.governance.correction import correction_aad, correction_history
from tests.conftest import ArchiveSetup
from tests.factories import MARIA, inbound
from tests.governance_story import Story

PHONE = "+55 21 98888-7777"


@pytest.fixture
def setup(archive_setup: ArchiveSetup) -> ArchiveSetup:
    archive_setup.archive([inbound("m1", "quero cancelar o contrato"), inbound("m2", "e mudar o plano", minutes=1)])
    return archive_setup


def correct(setup: ArchiveSetup, **fields: Any) -> dict[str, Any]:
    request = CorrectionRequest(phone=fields.pop("phone", PHONE), reason=fields.pop("reason", "pedido por e-mail"),
                                **fields)  # fmt: skip
    with transaction(setup.runtime.sessions) as session:
        return correct_subject(
            session, tenant=setup.tenant, data_key=setup.runtime.data_key(setup.tenant), request=request, actor="dpo"
        ).as_dict()


def contact(setup: ArchiveSetup) -> Contact:
    with setup.runtime.sessions() as session:
        return session.execute(select(Contact).where(Contact.key == MARIA.key)).scalar_one()


def count(setup: ArchiveSetup, model: Any) -> int:
    with setup.runtime.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_the_corrected_name_is_shown_and_the_old_one_stays_sealed(setup: ArchiveSetup) -> None:
    result = correct(setup, name="Maria da Silva Souza", email="Maria@Exemplo.com.br", note="prefere e-mail")

    assert (result["status"], result["fields"], result["contacts"], result["changed"]) == (
        "done", ["email", "name", "note"], 1, True,
    )  # fmt: skip
    row = contact(setup)
    assert (row.profile_name, row.email, row.note) == ("Maria da Silva Souza", "maria@exemplo.com.br", "prefere e-mail")
    assert row.name_corrected_at is not None
    with setup.runtime.sessions() as session:
        correction = session.execute(select(ContactCorrection)).scalar_one()
        register = session.get_one(SubjectRequest, result["request_id"])
        audit = session.execute(select(AuditEntry).where(AuditEntry.action == "subject_corrected")).scalar_one()
    assert correction.sealed is not None
    assert b"Maria Cliente" not in correction.sealed  # sealed, not merely stored
    assert (register.kind, register.status, register.subject) == ("correction", "done", "+55*******7777")
    assert audit.detail is not None
    assert audit.detail["corrections"][0]["sealed_sha256"] == hashlib.sha256(correction.sealed).hexdigest()
    assert "Maria" not in str(audit.detail)  # the permanent log keeps no personal data
    with transaction(setup.runtime.sessions) as session:
        hits = search(session, tenant_id=setup.tenant.id, query="cancelar", actor="test").hits
    assert [hit.author for hit in hits] == ["Maria da Silva Souza"]
    assert Story(setup).verify().ok


def test_the_history_opens_the_previous_values_and_the_read_is_audited(setup: ArchiveSetup) -> None:
    correct(setup, name="Maria da Silva Souza")
    correct(setup, name="Maria S. Souza", email="maria@exemplo.com.br")

    with transaction(setup.runtime.sessions) as session:
        history = correction_history(session, tenant=setup.tenant, data_key=setup.runtime.data_key(setup.tenant),
                                     phone=PHONE, actor="dpo")  # fmt: skip
        reads = session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "read_subject_corrections")
        ).scalar_one()

    assert [(h["before"], h["after"]) for h in history] == [
        ({"name": "Maria Cliente"}, {"name": "Maria da Silva Souza"}),
        ({"name": "Maria da Silva Souza", "email": None}, {"name": "Maria S. Souza", "email": "maria@exemplo.com.br"}),
    ]
    assert reads == 1


def test_a_later_webhook_does_not_undo_the_corrected_name(setup: ArchiveSetup) -> None:
    correct(setup, name="Maria da Silva Souza")

    setup.archive([inbound("m3", "outra mensagem", minutes=5)])  # carries her WhatsApp profile name again

    assert contact(setup).profile_name == "Maria da Silva Souza"


def test_an_email_only_correction_leaves_the_profile_name_to_whatsapp(setup: ArchiveSetup) -> None:
    correct(setup, email="maria@exemplo.com.br")

    assert contact(setup).name_corrected_at is None


def test_the_same_values_again_change_nothing_but_are_registered(setup: ArchiveSetup) -> None:
    correct(setup, name="Maria da Silva Souza")

    again = correct(setup, name="Maria da Silva Souza")

    assert (again["changed"], again["fields"], again["status"]) == (False, [], "done")
    assert count(setup, ContactCorrection) == 1
    assert count(setup, SubjectRequest) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "ao menos um dado"),
        ({"name": "  "}, "não pode ficar vazio"),
        ({"name": "Maria\nDROP TABLE"}, "quebras de linha"),
        ({"name": "Maria\u202eanitsirc"}, "caracteres de controle"),  # a right-to-left override
        ({"name": "M" * 201}, "no máximo 200"),
        ({"email": "maria@"}, "E-mail inválido"),
        ({"email": "a@b.co\r\nBcc: x@y.z"}, "E-mail inválido"),
        ({"note": "x" * 2001}, "no máximo 2000"),
        ({"name": "Maria", "reason": " "}, "motivo"),
    ],
)
def test_bad_input_is_refused_clearly_and_stores_nothing(
    setup: ArchiveSetup, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        correct(setup, **fields)

    assert count(setup, ContactCorrection) == count(setup, SubjectRequest) == 0
    assert contact(setup).profile_name == "Maria Cliente"


def test_an_unknown_number_is_not_found_and_stores_nothing(setup: ArchiveSetup) -> None:
    with pytest.raises(NotFound):
        correct(setup, phone="+5511912345678", name="Alguém")

    assert count(setup, SubjectRequest) == 0


def test_a_sealed_value_moved_to_another_contact_does_not_open(setup: ArchiveSetup) -> None:
    correct(setup, name="Maria da Silva Souza")
    with setup.runtime.sessions() as session:
        correction = session.execute(select(ContactCorrection)).scalar_one()
    key, maria = setup.runtime.data_key(setup.tenant), contact(setup).id

    assert b"Maria Cliente" in open_sealed(key, correction.sealed or b"", aad=correction_aad(setup.tenant.id, maria))
    with pytest.raises(TamperedData):
        open_sealed(key, correction.sealed or b"", aad=correction_aad(setup.tenant.id, maria + 1))


def test_erasure_empties_the_corrections_and_the_corrected_fields(setup: ArchiveSetup) -> None:
    correct(setup, name="Maria da Silva Souza", email="maria@exemplo.com.br", note="cliente desde 2019")

    erase_subject(setup.runtime, tenant=setup.tenant, phone=PHONE, reason="pedido do titular")

    with setup.runtime.sessions() as session:
        row = session.execute(select(Contact).where(Contact.key.like("erased:%"))).scalar_one()
        sealed = session.execute(select(ContactCorrection.sealed)).scalar_one()
    assert (row.profile_name, row.email, row.note) == ("Titular apagado (LGPD)", None, None)
    assert sealed is None
    assert Story(setup).verify().ok
