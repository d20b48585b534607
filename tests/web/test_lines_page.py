"""`/lines` and `/api/v1/lines`: who sees which lines, and what only administrators may do.

Personas (tests/web/conftest.py): bruno manages Vendas, carla manages Suporte, ana is compliance;
rita, added here, is the administrator who creates and connects lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, Line
from atalaia.services.auth import issue_api_token
from atalaia.services.people import create_user
from atalaia.web.console import line_provider, lines_page
from atalaia.web.csrf import require_csrf
from atalaia.web.released import released_console_admin
from tests.graph_server import FakeGraph, running_graph
from tests.web.conftest import PASSWORD, Story, page_csrf, sign_in

PNID = "106540352242922"  # the story's Vendas line


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraph]:
    with running_graph() as state:
        state.phones[PNID] = {"display_phone_number": "+55 21 99999-0000", "verified_name": "<script>x</script>"}
        yield state


@pytest.fixture
def rita(story: Story) -> str:
    runtime = story.setup.runtime
    with transaction(runtime.sessions) as session:
        user = create_user(session, tenant_id=story.setup.tenant.id, email="rita@exemplo.com.br", role="admin",
                           password=PASSWORD).user  # fmt: skip
        return issue_api_token(session, user=user, name="testes")


def line_ids(story: Story) -> dict[str, int]:
    with story.setup.runtime.sessions() as session:
        return {row.number: row.id for row in session.execute(select(Line.number, Line.id))}


def test_a_manager_sees_only_the_lines_of_their_team(story: Story) -> None:
    ids = line_ids(story)
    sign_in(story.client, "bruno@exemplo.com.br")
    page = story.client.get("/lines")
    assert "+5521999990000" in page.text
    assert "+5511977770000" not in page.text
    assert story.client.get(f"/lines/{ids['+5521999990000']}").status_code == 200
    assert story.client.get(f"/lines/{ids['+5511977770000']}").status_code == 404  # like a missing one
    assert story.client.get("/lines/999999").status_code == 404
    assert story.client.get("/lines/new").status_code == 403
    refused = story.client.post("/lines/new", data={"csrf_token": page_csrf(story.client), "number": "+5521988880000",
                                                    "provider": "cloud", "phone_number_id": "555"})  # fmt: skip
    assert refused.status_code == 403
    assert "+5521988880000" not in line_ids(story)


def test_an_admin_creates_a_line_with_a_new_team_and_employee(story: Story, rita: str) -> None:
    sign_in(story.client, "rita@exemplo.com.br")
    form = {"csrf_token": page_csrf(story.client), "number": "(21) 98888-0000", "provider": "evolution",
            "new_team": "Cobrança", "employee_email": "Lia@Exemplo.com.br", "employee_name": "Lia"}  # fmt: skip
    answer = story.client.post("/lines/new", data=form, follow_redirects=False)
    assert answer.status_code == 303
    page = story.client.get(answer.headers["location"])
    assert "Linha criada." in page.text
    assert "aguardando conexão" in page.text
    assert "Lia (lia@exemplo.com.br)" in page.text  # the history of holders
    assert "Cobrança" in page.text
    bad = story.client.post("/lines/new", data={"csrf_token": page_csrf(story.client), "number": "12",
                                                "provider": "cloud"})  # fmt: skip
    assert bad.status_code == 422
    assert "invalid phone number" in bad.text


def test_cloud_credentials_are_never_shown_back_and_the_test_button_reports(
    story: Story, rita: str, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    story.setup.runtime.settings.graph_base_url = graph.base_url
    line_id = line_ids(story)["+5521999990000"]
    sign_in(story.client, "rita@exemplo.com.br")
    saved = story.client.post(f"/lines/{line_id}/cloud", data={
        "csrf_token": page_csrf(story.client), "phone_number_id": PNID, "access_token": graph.token,
        "app_secret": "um-app-secret-bem-longo-9876"}, follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    page = story.client.get(f"/lines/{line_id}")
    assert graph.token not in page.text
    assert "um-app-secret" not in page.text
    assert "termina em 9876" in page.text
    assert "smb_message_echoes" in page.text
    assert "/webhooks/cloud" in page.text

    tested = story.client.post(f"/lines/{line_id}/test", data={"csrf_token": page_csrf(story.client)})
    assert tested.status_code == 200  # followed the redirect back to the page
    assert "Credenciais válidas: +55 21 99999-0000" in tested.text
    assert "<script>x</script>" not in tested.text  # Graph's text is escaped
    assert "&lt;script&gt;x&lt;/script&gt;" in tested.text
    with story.setup.runtime.sessions() as session:
        actions = set(session.execute(select(AuditEntry.action)).scalars())
    assert {"line_connected", "line_tested"} <= actions


def test_provider_buttons_need_the_forms_token_and_an_admin(story: Story, rita: str) -> None:
    line_id = line_ids(story)["+5521999990000"]
    sign_in(story.client, "rita@exemplo.com.br")
    assert story.client.post(f"/lines/{line_id}/test", data={"csrf_token": "forjado"}).status_code == 403
    assert story.client.post(f"/lines/{line_id}/instance", data={}).status_code == 403
    story.client.cookies.clear()
    sign_in(story.client, "ana@exemplo.com.br")  # compliance: sees lines, connects none
    assert story.client.post(f"/lines/{line_id}/test", data={"csrf_token": page_csrf(story.client)}).status_code == 403
    assert story.client.get(f"/lines/{line_id}/qr.svg").status_code == 403


def test_every_lines_form_route_is_behind_a_csrf_check() -> None:
    for route in lines_page.router.routes:
        assert isinstance(route, APIRoute)
        assert any(dep.call is require_csrf for dep in route.dependant.dependencies), route.path
    for route in line_provider.router.routes:
        assert isinstance(route, APIRoute)
        calls = [dep.call for dep in route.dependant.dependencies]
        assert released_console_admin in calls, route.path


def test_a_gateway_off_the_allowed_origins_is_refused_on_the_page(story: Story, rita: str) -> None:
    sign_in(story.client, "rita@exemplo.com.br")
    created = story.client.post("/lines/new", data={"csrf_token": page_csrf(story.client), "number": "+5521977770001",
                                                     "provider": "waha"}, follow_redirects=False)  # fmt: skip
    line_id = int(created.headers["location"].split("/")[2].split("?")[0])
    refused = story.client.post(f"/lines/{line_id}/gateway", data={
        "csrf_token": page_csrf(story.client), "base_url": "http://169.254.169.254/", "api_key": "k" * 20})  # fmt: skip
    assert refused.status_code == 422
    assert "ATALAIA_GATEWAY_API_ORIGINS" in refused.text


def test_the_api_creates_connects_reassigns_and_retires_for_admins_only(story: Story, rita: str) -> None:
    admin = {"Authorization": f"Bearer {rita}"}
    manager = {"Authorization": f"Bearer {story.tokens['bruno']}"}
    body = {"number": "+5521966660000", "provider": "cloud", "phone_number_id": "777000111", "team": "Vendas",
            "employee_email": "joao@exemplo.com.br"}  # fmt: skip
    assert story.client.post("/api/v1/lines", json=body, headers=manager).status_code == 403
    created = story.client.post("/api/v1/lines", json=body, headers=admin)
    assert created.status_code == 201
    line_id = created.json()["id"]
    connect = {"phone_number_id": "777000111", "access_token": "t" * 40}
    assert story.client.post(f"/api/v1/lines/{line_id}/connect/cloud", json=connect, headers=manager).status_code == 403
    connected = story.client.post(f"/api/v1/lines/{line_id}/connect/cloud", json=connect, headers=admin)
    assert connected.status_code == 200
    assert connected.json()["hints"]["access_token"] == "configurado · termina em tttt"
    assert "t" * 40 not in connected.text
    assert story.client.post(f"/api/v1/lines/{line_id}/test", headers=manager).status_code == 403
    moved = story.client.post(f"/api/v1/lines/{line_id}/reassign", json={"employee_email": "lia@exemplo.com.br"},
                              headers=admin)  # fmt: skip
    assert moved.json()["employee"] == "lia@exemplo.com.br"
    listed = {row["id"]: row for row in story.client.get("/api/v1/lines", headers=manager).json()}
    assert listed[line_id]["status"] == "pending"  # bruno manages Vendas: he sees it
    retired = story.client.post(f"/api/v1/lines/{line_id}/retire", json={"reason": "número devolvido"}, headers=admin)
    assert retired.json()["status"] == "retired"
    again = story.client.post(f"/api/v1/lines/{line_id}/retire", json={"reason": "de novo"}, headers=admin)
    assert again.status_code == 409
    hostile = story.client.post(f"/api/v1/lines/{line_id}/connect/cloud", json={"phone_number_id": "../x"},
                                headers=admin)  # fmt: skip
    assert hostile.status_code in (409, 422)
    assert re.search(r"aposentada|dígitos", hostile.text)
