"""Precision per rule, from what reviewers decided: confirmed / (confirmed + false positive)."""

from __future__ import annotations

from atalaia.db.engine import transaction
from atalaia.services.compliance import resolve, rule_precision
from tests.compliance_story import CPFS, Story, said


def test_each_resolved_alert_counts_once_for_each_rule_it_holds(story: Story) -> None:
    # Three days of CPFs (three alerts), one of them with a card too; one conduct alert; one left open.
    story.archive(
        [
            said("wamid.1", f"CPF {CPFS[0]}"),
            said("wamid.2", f"CPF {CPFS[1]} e {CPFS[2]}, cartão 4111 1111 1111 1111", minutes=24 * 60),
            said("wamid.3", f"CPF {CPFS[3]}", minutes=48 * 60),
            said("wamid.4", "isso é propina", minutes=1),
            said("wamid.5", f"CPF {CPFS[4]}", minutes=72 * 60),
        ]
    )
    alerts = {(a.policy, a.window_key): a.id for a in story.alerts()}
    decisions = {
        ("dados-pessoais", "2024-03-01"): "confirmed",
        ("dados-pessoais", "2024-03-02"): "confirmed",
        ("dados-pessoais", "2024-03-03"): "false_positive",
        ("conduta", "2024-03-01"): "false_positive",
    }
    with transaction(story.runtime.sessions) as session:
        for key, outcome in decisions.items():
            resolve(
                session,
                tenant_id=story.tenant.id,
                alert_id=alerts[key],
                actor=story.actors["ana"],
                resolution=outcome,
                reason="revisado",
            )

    with story.runtime.sessions() as session:
        rows = {
            (r.policy, r.rule): r for r in rule_precision(session, tenant_id=story.tenant.id, actor=story.actors["ana"])
        }

    cpf, card, bribe = rows[("dados-pessoais", "cpf")], rows[("dados-pessoais", "cartao")], rows[("conduta", "propina")]
    assert (cpf.confirmed, cpf.false_positive, cpf.unresolved) == (2, 1, 1)
    assert cpf.precision == 2 / 3
    assert (card.confirmed, card.false_positive, card.precision) == (1, 0, 1.0)
    assert (bribe.precision, bribe.as_json()["precision"]) == (0.0, 0.0)


def test_a_rule_nobody_has_judged_has_no_precision_yet(story: Story) -> None:
    story.archive([said("wamid.1", f"CPF {CPFS[0]}")])
    with story.runtime.sessions() as session:
        [row] = rule_precision(session, tenant_id=story.tenant.id, actor=story.actors["bruno"])
    assert (row.unresolved, row.precision) == (1, None)


def test_a_manager_sees_the_precision_of_his_teams_alerts_only(story: Story) -> None:
    story.archive([said("wamid.1", f"CPF {CPFS[0]}")])
    with story.runtime.sessions() as session:
        assert rule_precision(session, tenant_id=story.tenant.id, actor=story.actors["carla"]) == []
