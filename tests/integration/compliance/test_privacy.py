"""Reviewer privacy: queues show a pseudonym; only compliance reveals the name, with a reason, on the record."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, CaseEvent
from atalaia.errors import Forbidden, InvalidInput
from atalaia.services.compliance import Pseudonyms, alert_detail, list_alerts, reveal
from tests.compliance_story import CPFS, Story, said

REASON = "Apuração de denúncia no canal de ética nº 2024-17"


@pytest.fixture
def alert_id(story: Story) -> int:
    story.archive([said("wamid.1", f"CPF do cliente: {CPFS[0]}")])
    return story.alerts()[0].id


def test_queues_name_the_employee_by_a_stable_pseudonym(story: Story, alert_id: int) -> None:
    story.archive([said("wamid.2", "isso é propina", minutes=5)])
    story.archive([said("wamid.S", "isso é propina")], line=story.suporte)
    with transaction(story.runtime.sessions) as session:
        _, alerts = list_alerts(
            session, tenant_id=story.tenant.id, actor=story.actors["ana"], pseudonyms=story.pseudonyms
        )
        detail = alert_detail(
            session,
            tenant_id=story.tenant.id,
            alert_id=alert_id,
            actor=story.actors["bruno"],
            pseudonyms=story.pseudonyms,
        )

    labels = {a.line: {x.employee for x in alerts if x.line == a.line} for a in alerts}
    assert detail.alert.employee.startswith("Colaborador #")
    assert len(detail.alert.employee) == len("Colaborador #") + 6
    assert labels["+5521999990000"] == {detail.alert.employee}  # Eduarda's two alerts: one label
    assert labels["+5511977770000"] != labels["+5521999990000"]  # Fábio's differs
    assert "Eduarda" not in repr(detail.as_json())
    assert "eduarda" not in repr(detail.as_json())


def test_a_pseudonym_means_nothing_without_the_tenants_key() -> None:
    assert Pseudonyms(os.urandom(32)).label(7) != Pseudonyms(os.urandom(32)).label(7)
    assert Pseudonyms(b"k" * 32).label(None) == "Colaborador não identificado"


def test_ana_reveals_the_employee_with_a_reason_and_it_is_on_the_record(story: Story, alert_id: int) -> None:
    with transaction(story.runtime.sessions) as session:
        revealed = reveal(
            session,
            tenant_id=story.tenant.id,
            alert_id=alert_id,
            actor=story.actors["ana"],
            reason=REASON,
            pseudonyms=story.pseudonyms,
        )

    assert (revealed.name, revealed.email, revealed.team) == ("Eduarda Lima", "eduarda@exemplo.com.br", "Vendas")
    with story.runtime.sessions() as session:
        event = session.execute(select(CaseEvent).where(CaseEvent.kind == "reveal")).scalar_one()
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "alert_reveal")).scalar_one()
    assert (event.actor, event.detail["reason"]) == ("ana@exemplo.com.br", REASON)  # type: ignore[index]
    assert (entry.actor, entry.object_id, entry.detail["reason"]) == ("ana@exemplo.com.br", str(alert_id), REASON)  # type: ignore[index]


@pytest.mark.parametrize("reason", ["", "   ", "porque"])
def test_a_reveal_without_a_real_reason_is_refused(story: Story, alert_id: int, reason: str) -> None:
    with pytest.raises(InvalidInput, match="motivo"), transaction(story.runtime.sessions) as session:
        reveal(
            session,
            tenant_id=story.tenant.id,
            alert_id=alert_id,
            actor=story.actors["ana"],
            reason=reason,
            pseudonyms=story.pseudonyms,
        )


@pytest.mark.parametrize("name", ["bruno", "davi"])
def test_only_compliance_may_reveal(story: Story, alert_id: int, name: str) -> None:
    with pytest.raises(Forbidden), transaction(story.runtime.sessions) as session:
        reveal(
            session,
            tenant_id=story.tenant.id,
            alert_id=alert_id,
            actor=story.actors[name],
            reason=REASON,
            pseudonyms=story.pseudonyms,
        )
