"""Signing in and out of the console."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, LoginSession
from atalaia.services.people import create_user
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from atalaia.web.app import create_app
from tests.web.conftest import Story, login_token, page_csrf, sign_in


def test_ana_signs_in_and_sees_her_home(story: Story) -> None:
    response = sign_in(story.client, "ana@exemplo.com.br")

    assert response.status_code == 303  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "atalaia_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.lower() or "samesite=lax" in cookie.lower()
    home = story.client.get("/")
    assert home.status_code == 200
    assert "ana@exemplo.com.br" in home.text
    assert "mensagens" in home.text


def test_the_session_token_is_stored_only_as_a_hash(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    token = story.client.cookies.get("atalaia_session")

    with story.setup.runtime.sessions() as session:
        stored = session.execute(select(LoginSession.token_hash)).scalar_one()
    assert token
    assert token not in stored


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(story: Story) -> None:
    wrong = sign_in(story.client, "ana@exemplo.com.br", "senha-errada-qualquer")
    unknown = sign_in(story.client, "ninguem@exemplo.com.br", "senha-errada-qualquer")

    assert wrong.status_code == unknown.status_code == 401  # type: ignore[attr-defined]
    assert "e-mail ou senha inválidos" in wrong.text  # type: ignore[attr-defined]
    assert "e-mail ou senha inválidos" in unknown.text  # type: ignore[attr-defined]
    with story.setup.runtime.sessions() as session:
        failures = session.execute(select(AuditEntry).where(AuditEntry.action == "login_failed")).scalars().all()
    assert len(failures) == 2


def test_repeated_failures_lock_the_sign_in(story: Story) -> None:
    for _ in range(10):
        sign_in(story.client, "ana@exemplo.com.br", "chutando-senhas-000")

    locked = sign_in(story.client, "ana@exemplo.com.br")  # even the right password waits
    assert locked.status_code == 429  # type: ignore[attr-defined]


def test_pages_need_a_session(story: Story) -> None:
    response = story.client.get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_logout_ends_the_session(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    story.client.post("/logout", data={"csrf_token": page_csrf(story.client)})

    assert story.client.get("/", follow_redirects=False).status_code == 303
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(LoginSession)).first() is None


def test_the_login_form_carries_a_csrf_token(story: Story) -> None:
    assert len(login_token(story.client)) > 20


def test_the_session_cookie_is_secure_when_configured(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATALAIA_COOKIE_SECURE", "true")
    runtime = dataclasses.replace(story.setup.runtime, settings=Settings())
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        response = sign_in(client, "ana@exemplo.com.br")

    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "atalaia_session=" in cookie
    assert "Secure" in cookie
    assert "Path=/" in cookie


def test_a_user_of_another_tenant_signs_in_by_naming_it(story: Story) -> None:
    runtime = story.setup.runtime
    with transaction(runtime.sessions) as session:
        other = ensure_tenant(session, keyring=runtime.keyring, slug="filial-norte", name="Filial Norte")
        create_user(session, tenant_id=other.id, email="ana@exemplo.com.br", role="compliance",
                    password="outra-senha-da-filial")  # fmt: skip

    default = sign_in(story.client, "ana@exemplo.com.br", "outra-senha-da-filial")
    assert default.status_code == 401  # type: ignore[attr-defined]  # same e-mail, other tenant's password

    response = story.client.post("/login", data={"email": "ana@exemplo.com.br", "password": "outra-senha-da-filial",
                                                 "tenant": "filial-norte", "csrf_token": login_token(story.client)},
                                 follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    home = story.client.get("/")
    assert "Filial Norte" in home.text
    assert story.client.get(f"/conversations/{story.vendas_conversation}").status_code == 404  # other tenant's data
