"""The alert inbox and the case page: scoped by role and team, pseudonymised, audited, worked through CSRF forms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from atalaia.db.models import Alert, CaseEvent
from atalaia.runtime import Runtime
from atalaia.web.console import alerts as alert_pages
from atalaia.web.csrf import require_csrf
from tests.compliance_story import CPFS, said
from tests.web.alert_desk import REASON, Desk, open_desk, sign_in


@pytest.fixture
def desk(runtime: Runtime) -> Iterator[Desk]:
    with open_desk(runtime) as opened:
        yield opened


def alert_row(desk: Desk, alert_id: int) -> Alert:
    with desk.story.runtime.sessions() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert


def events(desk: Desk, alert_id: int) -> list[tuple[str, str]]:
    with desk.story.runtime.sessions() as session:
        rows = session.execute(
            select(CaseEvent.actor, CaseEvent.kind).where(CaseEvent.alert_id == alert_id).order_by(CaseEvent.id)
        ).all()
    return [(row[0], row[1]) for row in rows]


def test_ana_sees_the_inbox_with_counts_filters_and_pseudonyms(desk: Desk) -> None:
    sign_in(desk.client, "ana")

    page = desk.client.get("/alerts")
    suporte_only = desk.client.get("/alerts", params={"policy": "suporte"})
    opportunities = desk.client.get("/alerts", params={"category": "opportunity"})
    high = desk.client.get("/alerts", params={"severity": "high", "status": "open"})

    assert page.status_code == 200
    assert f'href="/alerts/{desk.vendas_alert}"' in page.text
    assert f'href="/alerts/{desk.suporte_alert}"' in page.text
    assert '<span class="n">2</span><span>abertos</span>' in page.text
    assert "Colaborador #" in page.text
    assert "Eduarda" not in page.text
    assert "Fábio" not in page.text
    assert "Dados pessoais &lt;enviados&gt;" in page.text  # a policy's name is escaped too
    assert f'href="/alerts/{desk.vendas_alert}"' not in suporte_only.text
    assert f'href="/alerts/{desk.suporte_alert}"' in suporte_only.text
    assert "Nenhum alerta" in opportunities.text
    assert f'href="/alerts/{desk.vendas_alert}"' in high.text
    assert f'href="/alerts/{desk.suporte_alert}"' not in high.text
    assert desk.client.get("/alerts", params={"status": "perdido"}).status_code == 422
    assert ("list_alerts", "ok", None) in desk.audit("ana@exemplo.com.br")


def test_the_nav_links_to_the_alerts(desk: Desk) -> None:
    sign_in(desk.client, "bruno")
    assert '<a href="/alerts">Alertas</a>' in desk.client.get("/").text


def test_the_case_shows_each_hit_marked_in_its_conversation_and_the_read_is_audited(desk: Desk) -> None:
    sign_in(desk.client, "ana")

    page = desk.client.get(f"/alerts/{desk.vendas_alert}")

    assert page.status_code == 200
    assert f"Segue o CPF do cliente: <mark>{CPFS[0]}</mark>, confere?" in page.text
    assert "Bom dia, Maria!" in page.text
    assert "Obrigada!" in page.text
    assert "***" in page.text  # the hit list keeps the redacted form
    assert "Eduarda" not in page.text  # her own messages carry her pseudonym
    assert f'action="/alerts/{desk.vendas_alert}/resolve"' in page.text
    trail = desk.audit("ana@exemplo.com.br")
    conversation = str(alert_row(desk, desk.vendas_alert).conversation_id)
    assert ("read_alert", "ok", str(desk.vendas_alert)) in trail
    assert ("read_conversation", "ok", conversation) in trail
    [detail] = desk.audit_details("ana@exemplo.com.br", "read_conversation")
    assert detail["via"] == "alert"
    assert detail["alert_id"] == desk.vendas_alert
    assert detail["messages"] == 3


def test_hostile_message_text_is_escaped_and_bounded_in_the_context(desk: Desk) -> None:
    hostile = "<script>window.__x=1</script>" + "a" * 5000 + f" {CPFS[1]} <img src=x onerror=alert(1)>" + "b" * 5000
    desk.story.archive([said("wamid.H", hostile, minutes=3)], notify=False)
    sign_in(desk.client, "ana")

    page = desk.client.get(f"/alerts/{desk.vendas_alert}").text

    assert "<script>window" not in page
    assert "<img src=x" not in page
    assert f"<mark>{CPFS[1]}</mark> &lt;img src=x onerror=alert(1)&gt;" in page
    assert "a" * 1000 not in page
    assert "b" * 1000 not in page
    assert "…" in page


def test_bruno_works_his_team_only_and_another_teams_alert_is_a_404_on_the_record(desk: Desk) -> None:
    token = sign_in(desk.client, "bruno")

    inbox = desk.client.get("/alerts").text
    hidden = desk.client.get(f"/alerts/{desk.suporte_alert}")
    forced = desk.client.post(f"/alerts/{desk.suporte_alert}/comment", data={"csrf_token": token, "text": "oi"})

    assert f'href="/alerts/{desk.vendas_alert}"' in inbox
    assert f'href="/alerts/{desk.suporte_alert}"' not in inbox
    assert hidden.status_code == 404
    assert "garantia" not in hidden.text
    assert forced.status_code == 404
    trail = desk.audit("bruno@exemplo.com.br")
    assert ("read_alert", "denied", str(desk.suporte_alert)) in trail
    assert ("alert_comment", "denied", str(desk.suporte_alert)) in trail
    assert events(desk, desk.suporte_alert) == []
    assert desk.client.get(f"/alerts/{desk.vendas_alert}").status_code == 200
    assert "Revelar" not in desk.client.get(f"/alerts/{desk.vendas_alert}").text  # compliance only


def test_the_whole_case_through_the_forms(desk: Desk) -> None:
    token = sign_in(desk.client, "ana")
    url = f"/alerts/{desk.vendas_alert}"
    bruno = desk.story.users["bruno"]

    def post(action: str, **fields: object) -> object:
        return desk.client.post(f"{url}/{action}", data={"csrf_token": token, **fields}, follow_redirects=False)

    assert post("review").headers["location"] == f"{url}?feito=review"  # type: ignore[attr-defined]
    assert f'<option value="{bruno}">' in desk.client.get(url).text
    post("assign", assignee=str(bruno))
    post("comment", text="Conversei com a <b>colaboradora</b>.")
    refused = post("resolve", resolution="false_positive", reason="  ")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "informe o motivo da resolução" in refused.text  # type: ignore[attr-defined]
    assert alert_row(desk, desk.vendas_alert).status == "in_review"
    post("resolve", resolution="false_positive", reason="CPF do próprio cliente, enviado a pedido dele")
    resolved = desk.client.get(f"{url}?feito=resolve").text
    assert "Alerta resolvido." in resolved
    assert "resolvido (falso positivo)" in resolved
    assert "Conversei com a &lt;b&gt;colaboradora&lt;/b&gt;." in resolved
    again = post("resolve", resolution="confirmed", reason="de novo")
    assert again.status_code == 409  # type: ignore[attr-defined]
    post("reopen", reason="Nova evidência")
    post("escalate", reason="Precisa da conformidade")

    alert = alert_row(desk, desk.vendas_alert)
    assert (alert.status, alert.assignee_user_id, alert.escalated) == ("open", bruno, True)
    assert [kind for _, kind in events(desk, desk.vendas_alert)] == [
        "status", "assign", "comment", "status", "status", "escalate",
    ]  # fmt: skip
    precision = desk.client.get("/alerts/precision").text
    assert "dados-pessoais" in precision
    assert "cpf" in precision


def test_a_manager_assigns_only_to_people_who_can_act(desk: Desk) -> None:
    token = sign_in(desk.client, "bruno")
    page = desk.client.get(f"/alerts/{desk.vendas_alert}").text

    assert f'<option value="{desk.story.users["ana"]}">' in page
    assert f'<option value="{desk.story.users["carla"]}">' not in page  # manages Suporte
    assert f'<option value="{desk.story.users["davi"]}">' not in page  # auditor
    refused = desk.client.post(
        f"/alerts/{desk.vendas_alert}/assign", data={"csrf_token": token, "assignee": str(desk.story.users["carla"])}
    )
    assert refused.status_code == 422
    assert alert_row(desk, desk.vendas_alert).assignee_user_id is None


def test_ana_reveals_the_employee_with_a_reason_and_it_is_on_the_record(desk: Desk) -> None:
    token = sign_in(desk.client, "ana")
    url = f"/alerts/{desk.vendas_alert}/reveal"

    short = desk.client.post(url, data={"csrf_token": token, "reason": "curiosa"})
    shown = desk.client.post(url, data={"csrf_token": token, "reason": REASON})

    assert short.status_code == 422
    assert "Eduarda" not in short.text
    assert shown.status_code == 200
    assert "Eduarda Lima" in shown.text
    assert "eduarda@exemplo.com.br" in shown.text
    assert "Colaborador revelado." in shown.text
    assert events(desk, desk.vendas_alert) == [("ana@exemplo.com.br", "reveal")]
    assert ("alert_reveal", "ok", str(desk.vendas_alert)) in desk.audit("ana@exemplo.com.br")
    assert [d["reason"] for d in desk.audit_details("ana@exemplo.com.br", "alert_reveal")] == [REASON]
    assert "Eduarda" not in desk.client.get(f"/alerts/{desk.vendas_alert}").text  # one look, not a setting


def test_a_manager_cannot_reveal(desk: Desk) -> None:
    token = sign_in(desk.client, "bruno")

    response = desk.client.post(f"/alerts/{desk.vendas_alert}/reveal", data={"csrf_token": token, "reason": REASON})

    assert response.status_code == 403
    assert "Eduarda" not in response.text
    assert events(desk, desk.vendas_alert) == []


def test_the_auditor_reads_everything_and_changes_nothing(desk: Desk) -> None:
    token = sign_in(desk.client, "davi")

    page = desk.client.get(f"/alerts/{desk.suporte_alert}")
    refused = desk.client.post(
        f"/alerts/{desk.vendas_alert}/resolve", data={"csrf_token": token, "resolution": "confirmed", "reason": "x y z"}
    )

    assert page.status_code == 200
    assert "somente de leitura" in page.text
    assert "/resolve" not in page.text
    assert "/comment" not in page.text
    assert refused.status_code == 403
    assert alert_row(desk, desk.vendas_alert).status == "open"
    assert events(desk, desk.vendas_alert) == []
    assert ("read_conversation", "ok", str(alert_row(desk, desk.suporte_alert).conversation_id)) in desk.audit(
        "davi@exemplo.com.br"
    )


def test_a_form_without_the_session_token_changes_nothing(desk: Desk) -> None:
    sign_in(desk.client, "ana")

    response = desk.client.post(
        f"/alerts/{desk.vendas_alert}/resolve", data={"resolution": "confirmed", "reason": "forjado"}
    )

    assert response.status_code == 403
    assert alert_row(desk, desk.vendas_alert).status == "open"


def test_every_alert_form_route_is_behind_the_csrf_check() -> None:
    unsafe = [r for r in alert_pages.router.routes if isinstance(r, APIRoute) and set(r.methods) - {"GET", "HEAD"}]
    assert len(unsafe) == 7
    for route in unsafe:
        assert any(dep.call is require_csrf for dep in route.dependant.dependencies), route.path


def test_the_inbox_needs_a_session(desk: Desk) -> None:
    response = desk.client.get("/alerts", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
