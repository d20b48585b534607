"""`/admin/users`: only administrators list, create, change and disable users and add teams."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import ApiToken, LoginSession, User
from atalaia.services.people import create_user
from atalaia.services.tenancy import ensure_tenant
from tests.web.conftest import Story, page_csrf, sign_in
from tests.web.totp_story import ADMIN, add_admin, audit_actions, csrf_at, enrol, password_step, sign_out

BRUNO = "bruno@exemplo.com.br"


def _user_id(story: Story, email: str) -> int:
    with story.setup.runtime.sessions() as session:
        return session.execute(select(User.id).where(User.email == email)).scalar_one()


@pytest.mark.parametrize("email", ["ana@exemplo.com.br", "bruno@exemplo.com.br", "davi@exemplo.com.br"])
def test_only_administrators_open_the_users_page(story: Story, email: str) -> None:
    add_admin(story)
    sign_in(story.client, email)
    token = page_csrf(story.client)

    assert story.client.get("/admin/users").status_code == 403
    assert story.client.get(f"/admin/users/{_user_id(story, BRUNO)}").status_code == 403
    created = story.client.post(
        "/admin/users", data={"csrf_token": token, "email": "x@exemplo.com.br", "role": "admin"}
    )
    assert created.status_code == 403
    disabled = story.client.post(f"/admin/users/{_user_id(story, ADMIN)}/disable", data={"csrf_token": token})
    assert disabled.status_code == 403
    assert 'href="/admin/users"' not in story.client.get("/").text
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(User).where(User.email == "x@exemplo.com.br")).first() is None
        assert session.execute(select(User.is_active).where(User.email == ADMIN)).scalar_one()


def test_the_list_shows_roles_teams_second_factor_and_last_sign_in(story: Story) -> None:
    add_admin(story)
    sign_in(story.client, BRUNO)
    enrol(story.client)
    sign_out(story.client)
    sign_in(story.client, ADMIN)

    page = story.client.get("/admin/users")

    assert page.status_code == 200
    assert 'href="/admin/users"' in story.client.get("/").text
    row = re.search(r"bruno@exemplo.com.br</a></td>(.*?)</tr>", page.text, re.S)
    assert row
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert cells[1:4] == ["gestão de equipe", "Vendas", "ativada"]
    assert re.match(r"\d\d/\d\d/\d{4} \d\d:\d\d", cells[4])
    carla = re.search(r"carla@exemplo.com.br</a></td>(.*?)</tr>", page.text, re.S)
    assert carla
    assert "desativada" in carla.group(1)
    assert "nunca" in carla.group(1)
    assert "Suporte" in page.text
    assert "Equipes" in page.text


def test_an_administrator_creates_a_user_whose_password_is_shown_once(story: Story) -> None:
    add_admin(story)
    sign_in(story.client, ADMIN)
    token = page_csrf(story.client)

    created = story.client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "Fabio@Exemplo.com.br",
            "name": "Fábio",
            "role": "manager",
            "teams": ["Suporte"],
            "new_team": "Financeiro",
        },
    )

    assert created.status_code == 200
    match = re.search(r'id="new-password">([^<]+)<', created.text)
    assert match
    password = match.group(1)
    assert password not in story.client.get("/admin/users").text
    with story.setup.runtime.sessions() as session:
        stored = session.execute(select(User).where(User.email == "fabio@exemplo.com.br")).scalar_one()
    assert stored.role == "manager"
    assert password not in stored.password_hash
    assert (
        "user_created",
        "ok",
        {"email": "fabio@exemplo.com.br", "role": "manager", "teams": ["Financeiro", "Suporte"]},
    ) in audit_actions(story)
    sign_out(story.client)
    assert password_step(story.client, "fabio@exemplo.com.br", password).headers["location"] == "/"
    assert story.client.get(f"/conversations/{story.suporte_conversation}").status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"email": "gil@exemplo.com.br", "role": "manager"}, 422, "um gestor precisa de ao menos uma equipe"),
        ({"email": "nao-e-email", "role": "admin"}, 422, "e-mail inválido"),
        ({"email": "gil@exemplo.com.br", "role": "chefe"}, 422, "papel desconhecido"),
        ({"email": "ana@exemplo.com.br", "role": "admin"}, 409, "já existe um usuário"),
    ],
)
def test_a_refused_creation_says_why(story: Story, fields: dict[str, str], status: int, message: str) -> None:
    add_admin(story)
    sign_in(story.client, ADMIN)

    response = story.client.post("/admin/users", data={"csrf_token": page_csrf(story.client), **fields})

    assert response.status_code == status
    assert message in response.text
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(User).where(User.email == "gil@exemplo.com.br")).first() is None


def test_changing_a_managers_teams_changes_what_they_see(story: Story) -> None:
    add_admin(story)
    bruno = _user_id(story, BRUNO)
    sign_in(story.client, ADMIN)

    done = story.client.post(
        f"/admin/users/{bruno}/role",
        data={"csrf_token": page_csrf(story.client), "role": "manager", "teams": ["Suporte"]},
    )

    assert done.status_code == 200
    assert "Papel e equipes atualizados" in done.text
    entry = next(d for a, _, d in audit_actions(story) if a == "user_updated")
    assert entry == {
        "email": BRUNO,
        "before": {"role": "manager", "teams": ["Vendas"]},
        "after": {"role": "manager", "teams": ["Suporte"]},
    }
    sign_out(story.client)
    sign_in(story.client, BRUNO)
    assert story.client.get(f"/conversations/{story.suporte_conversation}").status_code == 200
    assert story.client.get(f"/conversations/{story.vendas_conversation}").status_code == 404


def test_an_administrator_cannot_demote_or_disable_themselves(story: Story) -> None:
    eva = add_admin(story)
    sign_in(story.client, ADMIN)
    token = page_csrf(story.client)

    demoted = story.client.post(f"/admin/users/{eva}/role", data={"csrf_token": token, "role": "auditor"})
    disabled = story.client.post(f"/admin/users/{eva}/disable", data={"csrf_token": token})

    assert demoted.status_code == disabled.status_code == 409
    with story.setup.runtime.sessions() as session:
        eva_row = session.get(User, eva)
        assert eva_row is not None
        assert eva_row.role == "admin"
        assert eva_row.is_active


def test_a_disabled_user_cannot_sign_in_and_their_sessions_and_tokens_stop(story: Story) -> None:
    add_admin(story)
    bruno = _user_id(story, BRUNO)
    bruno_token = {"Authorization": f"Bearer {story.tokens['bruno']}"}
    assert story.client.get("/api/v1/conversations", headers=bruno_token).status_code == 200
    with TestClient(story.client.app) as brunos_browser:
        sign_in(brunos_browser, BRUNO)
        assert brunos_browser.get("/", follow_redirects=False).status_code == 200
        sign_in(story.client, ADMIN)

        done = story.client.post(f"/admin/users/{bruno}/disable", data={"csrf_token": page_csrf(story.client)})

        assert done.status_code == 200
        assert "desativado" in done.text
        assert brunos_browser.get("/", follow_redirects=False).status_code == 303  # the session ended
    assert story.client.get("/api/v1/conversations", headers=bruno_token).status_code == 401
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(LoginSession).where(LoginSession.user_id == bruno)).first() is None
        assert session.execute(select(ApiToken.revoked_at).where(ApiToken.user_id == bruno)).scalar_one() is not None
    assert [d for a, _, d in audit_actions(story) if a == "user_disabled"] == [
        {"email": BRUNO, "sessions_ended": 1, "tokens_revoked": 1}
    ]
    sign_out(story.client)
    assert password_step(story.client, BRUNO).status_code == 401

    sign_in(story.client, ADMIN)
    story.client.post(f"/admin/users/{bruno}/enable", data={"csrf_token": page_csrf(story.client)})
    sign_out(story.client)
    assert password_step(story.client, BRUNO).status_code == 303  # enabled again
    assert story.client.get("/api/v1/conversations", headers=bruno_token).status_code == 401  # tokens stay revoked


def test_an_administrator_resets_a_lost_second_factor(story: Story) -> None:
    add_admin(story)
    sign_in(story.client, BRUNO)
    enrol(story.client)
    sign_out(story.client)
    sign_in(story.client, ADMIN)
    bruno = _user_id(story, BRUNO)
    assert "ativada (10 código(s)" in story.client.get(f"/admin/users/{bruno}").text

    done = story.client.post(f"/admin/users/{bruno}/totp-reset", data={"csrf_token": csrf_at(story.client, "/")})

    assert done.status_code == 200
    assert "Verificação em duas etapas removida" in done.text
    assert [d for a, _, d in audit_actions(story) if a == "totp_reset"] == [{"email": BRUNO, "was_enabled": True}]
    sign_out(story.client)
    assert password_step(story.client, BRUNO).headers["location"] == "/"


def test_an_administrator_adds_a_team(story: Story) -> None:
    add_admin(story)
    sign_in(story.client, ADMIN)
    token = page_csrf(story.client)

    done = story.client.post("/admin/teams", data={"csrf_token": token, "name": "Jurídico"})
    again = story.client.post("/admin/teams", data={"csrf_token": token, "name": "Jurídico"})

    assert done.status_code == 200
    assert "Jurídico" in done.text
    assert again.status_code == 409
    assert [d for a, _, d in audit_actions(story) if a == "team_created"] == [{"name": "Jurídico"}]


def test_another_tenants_user_is_not_found(story: Story) -> None:
    runtime = story.setup.runtime
    with transaction(runtime.sessions) as session:
        other = ensure_tenant(session, keyring=runtime.keyring, slug="filial", name="Filial")
        outsider = create_user(
            session, tenant_id=other.id, email="zeca@filial.com.br", role="admin", password="senha-da-filial-123"
        ).user.id
    add_admin(story)
    sign_in(story.client, ADMIN)

    assert story.client.get(f"/admin/users/{outsider}").status_code == 404
    disabled = story.client.post(f"/admin/users/{outsider}/disable", data={"csrf_token": page_csrf(story.client)})
    assert disabled.status_code == 404
    with runtime.sessions() as session:
        row = session.get(User, outsider)
        assert row is not None
        assert row.is_active
