"""The case workflow: allowed moves only, each one in the history and the audit log, scoped by team and role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import Alert, AuditEntry, CaseEvent, Job
from atalaia.errors import Conflict, Forbidden, InvalidInput, NotFound
from atalaia.services.compliance import (
    alert_detail,
    assign,
    comment,
    escalate,
    list_alerts,
    reopen,
    resolve,
    start_review,
)
from atalaia.services.compliance.scanning import NOTIFY_KIND
from tests.compliance_story import CPFS, Story, said


@pytest.fixture
def alert_id(story: Story) -> int:
    """One open alert on the Vendas line (Eduarda sent a customer's CPF)."""
    story.archive([said("wamid.1", f"CPF do cliente: {CPFS[0]}")])
    [alert] = story.alerts()
    return alert.id


def history(story: Story, alert_id: int) -> list[tuple[str, str, dict[str, object] | None]]:
    with story.runtime.sessions() as session:
        events = session.execute(select(CaseEvent).where(CaseEvent.alert_id == alert_id).order_by(CaseEvent.id))
        return [(e.actor, e.kind, e.detail) for e in events.scalars()]


def test_ana_reviews_and_resolves_a_case_and_every_step_is_kept(story: Story, alert_id: int) -> None:
    ana, tenant_id = story.actors["ana"], story.tenant.id
    with transaction(story.runtime.sessions) as session:
        assign(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana, assignee_user_id=story.users["bruno"])
        start_review(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana)
        comment(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana, text="Conversei com a colaboradora.")
        alert = resolve(
            session,
            tenant_id=tenant_id,
            alert_id=alert_id,
            actor=ana,
            resolution="confirmed",
            reason="CPF enviado sem necessidade",
        )
        assert (alert.status, alert.resolution, alert.assignee_user_id) == (
            "resolved",
            "confirmed",
            story.users["bruno"],
        )
        assert alert.resolved_at is not None

    assert history(story, alert_id) == [
        (
            "ana@exemplo.com.br",
            "assign",
            {"from": None, "to": story.users["bruno"], "to_email": "bruno@exemplo.com.br"},
        ),
        ("ana@exemplo.com.br", "status", {"from": "open", "to": "in_review"}),
        ("ana@exemplo.com.br", "comment", {"text": "Conversei com a colaboradora."}),
        (
            "ana@exemplo.com.br",
            "status",
            {"from": "in_review", "to": "resolved", "resolution": "confirmed", "reason": "CPF enviado sem necessidade"},
        ),
    ]
    with story.runtime.sessions() as session:
        audited = session.execute(
            select(AuditEntry.action).where(AuditEntry.object_type == "alert", AuditEntry.object_id == str(alert_id))
        ).scalars()
        assert list(audited) == ["alert_assign", "alert_status", "alert_comment", "alert_status"]


def test_a_resolved_case_cannot_be_resolved_or_reviewed_again_until_reopened(story: Story, alert_id: int) -> None:
    ana, tenant_id = story.actors["ana"], story.tenant.id
    with transaction(story.runtime.sessions) as session:
        resolve(
            session,
            tenant_id=tenant_id,
            alert_id=alert_id,
            actor=ana,
            resolution="false_positive",
            reason="CPF da própria colaboradora",
        )

    for action in (
        lambda s: resolve(s, tenant_id=tenant_id, alert_id=alert_id, actor=ana, resolution="confirmed", reason="x"),
        lambda s: start_review(s, tenant_id=tenant_id, alert_id=alert_id, actor=ana),
        lambda s: escalate(s, tenant_id=tenant_id, alert_id=alert_id, actor=ana, reason="ajuda"),
    ):
        with pytest.raises(Conflict), transaction(story.runtime.sessions) as session:
            action(session)

    with transaction(story.runtime.sessions) as session:
        alert = reopen(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana, reason="novos fatos")
        assert (alert.status, alert.resolution, alert.resolved_at) == ("open", None, None)


def test_a_resolution_needs_a_known_outcome_and_a_reason(story: Story, alert_id: int) -> None:
    ana, tenant_id = story.actors["ana"], story.tenant.id
    with pytest.raises(InvalidInput, match="motivo"), transaction(story.runtime.sessions) as session:
        resolve(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana, resolution="confirmed", reason="  ")
    with pytest.raises(InvalidInput, match="resolução"), transaction(story.runtime.sessions) as session:
        resolve(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana, resolution="talvez", reason="x")
    assert story.alerts()[0].status == "open"


def test_bruno_works_the_alerts_of_his_own_team(story: Story, alert_id: int) -> None:
    bruno = story.actors["bruno"]
    with transaction(story.runtime.sessions) as session:
        start_review(session, tenant_id=story.tenant.id, alert_id=alert_id, actor=bruno)
        total, alerts = list_alerts(session, tenant_id=story.tenant.id, actor=bruno, pseudonyms=story.pseudonyms)
    assert (total, [a.status for a in alerts]) == (1, ["in_review"])


def test_carla_sees_nothing_of_vendas_and_cannot_act_on_it(story: Story, alert_id: int) -> None:
    carla, tenant_id = story.actors["carla"], story.tenant.id
    with transaction(story.runtime.sessions) as session:
        assert list_alerts(session, tenant_id=tenant_id, actor=carla, pseudonyms=story.pseudonyms) == (0, [])
    for action in (
        lambda s: alert_detail(s, tenant_id=tenant_id, alert_id=alert_id, actor=carla, pseudonyms=story.pseudonyms),
        lambda s: resolve(s, tenant_id=tenant_id, alert_id=alert_id, actor=carla, resolution="confirmed", reason="x"),
        lambda s: comment(s, tenant_id=tenant_id, alert_id=alert_id, actor=carla, text="olá"),
    ):
        with pytest.raises(NotFound), transaction(story.runtime.sessions) as session:
            action(session)
    assert story.alerts()[0].status == "open"


def test_an_out_of_scope_attempt_is_audited_as_denied(story: Story, alert_id: int) -> None:
    with story.runtime.sessions() as session, session.begin():
        with pytest.raises(NotFound):
            comment(session, tenant_id=story.tenant.id, alert_id=alert_id, actor=story.actors["carla"], text="oi")
        denied = session.execute(select(AuditEntry).where(AuditEntry.outcome == "denied")).scalar_one()
        assert (denied.actor, denied.action, denied.object_id) == (
            "carla@exemplo.com.br",
            "alert_comment",
            str(alert_id),
        )


def test_davi_reads_every_alert_and_changes_none(story: Story, alert_id: int) -> None:
    davi, tenant_id = story.actors["davi"], story.tenant.id
    with transaction(story.runtime.sessions) as session:
        detail = alert_detail(session, tenant_id=tenant_id, alert_id=alert_id, actor=davi, pseudonyms=story.pseudonyms)
    assert detail.alert.id == alert_id
    for action in (
        lambda s: start_review(s, tenant_id=tenant_id, alert_id=alert_id, actor=davi),
        lambda s: comment(s, tenant_id=tenant_id, alert_id=alert_id, actor=davi, text="olá"),
        lambda s: assign(s, tenant_id=tenant_id, alert_id=alert_id, actor=davi, assignee_user_id=None),
        lambda s: escalate(s, tenant_id=tenant_id, alert_id=alert_id, actor=davi, reason="x"),
        lambda s: resolve(s, tenant_id=tenant_id, alert_id=alert_id, actor=davi, resolution="confirmed", reason="x"),
    ):
        with pytest.raises(Forbidden), transaction(story.runtime.sessions) as session:
            action(session)
    assert history(story, alert_id) == []


def test_a_case_goes_only_to_someone_who_may_act_on_it(story: Story, alert_id: int) -> None:
    ana, tenant_id = story.actors["ana"], story.tenant.id
    for name in ("carla", "davi"):  # another team's manager; an auditor
        with pytest.raises(InvalidInput), transaction(story.runtime.sessions) as session:
            assign(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana, assignee_user_id=story.users[name])
    with transaction(story.runtime.sessions) as session:
        assign(session, tenant_id=tenant_id, alert_id=alert_id, actor=ana, assignee_user_id=story.users["ana"])
    assert story.alerts()[0].assignee_user_id == story.users["ana"]


def test_bruno_escalates_to_compliance_once(story: Story, alert_id: int) -> None:
    bruno, tenant_id = story.actors["bruno"], story.tenant.id
    with transaction(story.runtime.sessions) as session:
        escalate(session, tenant_id=tenant_id, alert_id=alert_id, actor=bruno, reason="Preciso de apoio jurídico")
    with pytest.raises(Conflict), transaction(story.runtime.sessions) as session:
        escalate(session, tenant_id=tenant_id, alert_id=alert_id, actor=bruno, reason="de novo")

    with story.runtime.sessions() as session:
        assert session.get(Alert, alert_id).escalated  # type: ignore[union-attr]
        payloads = [j.payload for j in session.execute(select(Job).where(Job.kind == NOTIFY_KIND)).scalars()]
    assert {"alert_id": alert_id, "event": "escalated"} in payloads
    assert history(story, alert_id)[-1] == ("bruno@exemplo.com.br", "escalate", {"reason": "Preciso de apoio jurídico"})
