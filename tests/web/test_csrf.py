"""Forms without the right CSRF token are refused and change nothing."""

from __future__ import annotations

from fastapi.routing import APIRoute
from sqlalchemy import select

from atalaia.db.models import LoginSession
from atalaia.web.console import routes as console
from atalaia.web.csrf import require_csrf
from tests.web.conftest import PASSWORD, Story, login_token, sign_in


def test_a_login_post_without_the_token_is_403(story: Story) -> None:
    login_token(story.client)  # the cookie is set, the form field is missing
    response = story.client.post("/login", data={"email": "ana@exemplo.com.br", "password": PASSWORD})

    assert response.status_code == 403
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(LoginSession)).first() is None


def test_a_login_post_with_a_forged_token_is_403(story: Story) -> None:
    login_token(story.client)
    response = story.client.post(
        "/login", data={"email": "ana@exemplo.com.br", "password": PASSWORD, "csrf_token": "forjado"}
    )
    assert response.status_code == 403


def test_a_logout_post_without_the_session_token_is_403_and_keeps_the_session(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")

    response = story.client.post("/logout", data={"csrf_token": "outro"})

    assert response.status_code == 403
    assert story.client.get("/", follow_redirects=False).status_code == 200


def test_every_console_form_route_is_behind_the_csrf_check() -> None:
    unsafe = [
        route
        for route in console.router.routes
        if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD", "OPTIONS"}
    ]

    assert {route.path for route in unsafe} >= {"/login", "/logout"}
    for route in unsafe:
        assert any(dep.call is require_csrf for dep in route.dependant.dependencies), route.path


def test_a_forged_post_from_a_signed_in_browser_changes_nothing(story: Story) -> None:
    sign_in(story.client, "ana@exemplo.com.br")
    with story.setup.runtime.sessions() as session:
        before = session.execute(select(LoginSession.id)).scalars().all()

    response = story.client.post("/logout", data={})  # what a cross-site form would send: the cookie, no token

    assert response.status_code == 403
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(LoginSession.id)).scalars().all() == before
