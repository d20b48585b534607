"""`/api/v1/alerts` with bearer tokens: the same scoping, roles, pseudonyms and audit as the console."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from atalaia.runtime import Runtime
from tests.compliance_story import CPFS
from tests.web.alert_desk import REASON, Desk, open_desk


@pytest.fixture
def desk(runtime: Runtime) -> Iterator[Desk]:
    with open_desk(runtime) as opened:
        yield opened


def test_the_queue_is_filtered_paged_counted_and_scoped(desk: Desk) -> None:
    ana = desk.client.get("/api/v1/alerts", headers=desk.bearer("ana")).json()
    paged = desk.client.get("/api/v1/alerts", params={"limit": 1, "offset": 1}, headers=desk.bearer("ana")).json()
    suporte = desk.client.get("/api/v1/alerts", params={"policy": "suporte"}, headers=desk.bearer("ana")).json()
    risk_high = desk.client.get(
        "/api/v1/alerts", params={"category": "risk", "severity": "high"}, headers=desk.bearer("ana")
    ).json()
    bruno = desk.client.get("/api/v1/alerts", headers=desk.bearer("bruno")).json()

    assert ana["total"] == 2
    assert ana["counts"]["by_status"]["open"] == 2
    assert {a["id"] for a in ana["alerts"]} == {desk.vendas_alert, desk.suporte_alert}
    assert all(a["employee"].startswith("Colaborador #") for a in ana["alerts"])
    assert (paged["total"], len(paged["alerts"]), paged["offset"]) == (2, 1, 1)
    assert [a["id"] for a in suporte["alerts"]] == [desk.suporte_alert]
    assert [a["id"] for a in risk_high["alerts"]] == [desk.vendas_alert]
    assert [a["id"] for a in bruno["alerts"]] == [desk.vendas_alert]
    assert bruno["counts"]["by_status"]["open"] == 1


def test_bad_filters_and_missing_tokens_answer_the_error_envelope(desk: Desk) -> None:
    bad = desk.client.get("/api/v1/alerts", params={"severity": "enorme"}, headers=desk.bearer("ana"))
    anonymous = desk.client.get("/api/v1/alerts")

    assert bad.status_code == 422
    assert bad.json()["ok"] is False
    assert "severidade" in bad.json()["error"]
    assert anonymous.status_code == 401
    assert anonymous.json()["status"] == 401


def test_one_alert_with_its_hits_in_context_and_the_read_audited(desk: Desk) -> None:
    plain = desk.client.get(f"/api/v1/alerts/{desk.vendas_alert}", headers=desk.bearer("davi")).json()
    full = desk.client.get(
        f"/api/v1/alerts/{desk.vendas_alert}", params={"context": "true"}, headers=desk.bearer("davi")
    ).json()

    assert plain["context"] is None
    assert plain["hit_list"][0]["match"].startswith("***")
    [excerpt] = full["context"]["excerpts"]
    hit = next(m for m in excerpt["messages"] if m["is_hit"])
    assert [p["text"] for p in hit["parts"] if p["marked"]] == [CPFS[0]]
    assert hit["author"] == full["employee"]  # the employee's own messages carry the pseudonym
    assert "Eduarda" not in str(full)
    assert len(excerpt["messages"]) == 3
    actions = [action for action, _, _ in desk.audit("davi@exemplo.com.br")]
    assert actions.count("read_alert") == 2
    assert actions.count("read_conversation") == 1


def test_another_teams_alert_is_a_404_and_the_attempt_is_on_the_record(desk: Desk) -> None:
    read = desk.client.get(f"/api/v1/alerts/{desk.vendas_alert}", headers=desk.bearer("carla"))
    act = desk.client.post(
        f"/api/v1/alerts/{desk.vendas_alert}/comment", json={"text": "oi"}, headers=desk.bearer("carla")
    )

    assert read.status_code == 404
    assert read.json() == {"ok": False, "error": "alerta não encontrado", "status": 404}
    assert act.status_code == 404
    trail = desk.audit("carla@exemplo.com.br")
    assert ("read_alert", "denied", str(desk.vendas_alert)) in trail
    assert ("alert_comment", "denied", str(desk.vendas_alert)) in trail


def test_the_whole_case_through_the_api(desk: Desk) -> None:
    base, headers = f"/api/v1/alerts/{desk.vendas_alert}", desk.bearer("bruno")
    ana = desk.story.users["ana"]

    reviewed = desk.client.post(f"{base}/review", headers=headers)
    assigned = desk.client.post(f"{base}/assign", json={"user_id": ana}, headers=headers)
    commented = desk.client.post(f"{base}/comment", json={"text": "Vou verificar"}, headers=headers)
    wrong = desk.client.post(f"{base}/resolve", json={"resolution": "talvez", "reason": "x"}, headers=headers)
    resolved = desk.client.post(
        f"{base}/resolve", json={"resolution": "confirmed", "reason": "CPF sem necessidade"}, headers=headers
    )
    twice = desk.client.post(f"{base}/resolve", json={"resolution": "confirmed", "reason": "de novo"}, headers=headers)
    reopened = desk.client.post(f"{base}/reopen", json={"reason": "Cliente reclamou"}, headers=headers)
    escalated = desk.client.post(f"{base}/escalate", json={"reason": "Preciso de ajuda"}, headers=headers)
    unassigned = desk.client.post(f"{base}/assign", json={"user_id": None}, headers=headers)

    assert reviewed.status_code == 200
    assert reviewed.json()["status"] == "in_review"
    assert assigned.json()["assignee"] == "ana@exemplo.com.br"
    assert commented.json()["history"][-1]["detail"] == {"text": "Vou verificar"}
    assert wrong.status_code == 422
    assert wrong.json()["ok"] is False
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", "confirmed")
    assert twice.status_code == 409
    assert twice.json()["status"] == 409
    assert reopened.json()["status"] == "open"
    assert escalated.json()["escalated"] is True
    assert unassigned.json()["assignee"] is None
    assert [e["kind"] for e in unassigned.json()["history"]] == [
        "status", "assign", "comment", "status", "status", "escalate", "assign",
    ]  # fmt: skip
    rules = desk.client.get("/api/v1/alerts/precision", headers=desk.bearer("ana")).json()["rules"]
    assert {"policy": "dados-pessoais", "rule": "cpf", "confirmed": 0, "false_positive": 0, "unresolved": 1,
            "precision": None} in rules  # fmt: skip


def test_precision_counts_resolved_alerts_in_scope(desk: Desk) -> None:
    desk.client.post(
        f"/api/v1/alerts/{desk.vendas_alert}/resolve",
        json={"resolution": "false_positive", "reason": "CPF do próprio cliente"},
        headers=desk.bearer("ana"),
    )

    ana = desk.client.get("/api/v1/alerts/precision", headers=desk.bearer("ana")).json()["rules"]
    carla = desk.client.get("/api/v1/alerts/precision", headers=desk.bearer("carla")).json()["rules"]

    cpf = next(r for r in ana if r["rule"] == "cpf")
    assert (cpf["false_positive"], cpf["precision"]) == (1, 0.0)
    assert [r["rule"] for r in carla] == ["garantia"]


def test_reveal_is_for_compliance_with_a_reason(desk: Desk) -> None:
    url = f"/api/v1/alerts/{desk.vendas_alert}/reveal"

    short = desk.client.post(url, json={"reason": "porque"}, headers=desk.bearer("ana"))
    manager = desk.client.post(url, json={"reason": REASON}, headers=desk.bearer("bruno"))
    shown = desk.client.post(url, json={"reason": REASON}, headers=desk.bearer("ana"))

    assert short.status_code == 422
    assert manager.status_code == 403
    assert "Eduarda" not in manager.text
    assert shown.status_code == 200
    assert (shown.json()["name"], shown.json()["email"], shown.json()["team"]) == (
        "Eduarda Lima", "eduarda@exemplo.com.br", "Vendas",
    )  # fmt: skip
    assert ("alert_reveal", "ok", str(desk.vendas_alert)) in desk.audit("ana@exemplo.com.br")


def test_the_auditor_cannot_act(desk: Desk) -> None:
    for action, body in [("review", None), ("comment", {"text": "oi"}), ("reopen", {"reason": "x"})]:
        response = desk.client.post(
            f"/api/v1/alerts/{desk.vendas_alert}/{action}", json=body, headers=desk.bearer("davi")
        )
        assert response.status_code == 403, action
        assert response.json()["ok"] is False
    detail = desk.client.get(f"/api/v1/alerts/{desk.vendas_alert}", headers=desk.bearer("davi")).json()
    assert (detail["status"], detail["history"]) == ("open", [])


def test_the_endpoints_are_in_the_openapi_document(desk: Desk) -> None:
    paths = desk.client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/alerts", "/api/v1/alerts/{alert_id}", "/api/v1/alerts/{alert_id}/resolve",
            "/api/v1/alerts/{alert_id}/reveal", "/api/v1/alerts/precision"} <= set(paths)  # fmt: skip
    assert not any(path.startswith("/alerts") for path in paths)  # console pages stay out
