"""TOTP as a second factor: enrolment in the console, the code step of sign-in, recovery codes, disabling."""

from __future__ import annotations

import time

import pyotp
from fastapi.routing import APIRoute
from sqlalchemy import select

from atalaia.db.models import RecoveryCode, Tenant, TotpCredential, User
from atalaia.security.keys import open_sealed
from atalaia.web.console import admin_users, audit_page, totp_login
from atalaia.web.console import totp as totp_pages
from atalaia.web.csrf import require_csrf
from tests.web.conftest import Story, login_token, page_csrf, sign_in
from tests.web.totp_story import (
    audit_actions,
    code_step,
    csrf_at,
    enrol,
    next_code,
    password_step,
    sign_out,
    wrong_code,
)

ANA = "ana@exemplo.com.br"


def test_enrolment_shows_a_server_drawn_qr_code_and_needs_a_first_code(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    token = page_csrf(client)
    assert "Desativada" in client.get("/account/totp").text

    client.post("/account/totp/start", data={"csrf_token": token})
    setup = client.get("/account/totp/setup")
    assert setup.status_code == 200
    assert "<svg" in setup.text
    assert "<script" not in setup.text
    secret = setup.text.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")
    refused = client.post("/account/totp/confirm", data={"csrf_token": token, "code": wrong_code(secret)})
    assert refused.status_code == 400
    assert "código inválido" in refused.text
    assert "Desativada" in client.get("/account/totp").text  # still off

    done = client.post("/account/totp/confirm", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})

    assert done.status_code == 200
    assert done.text.count("<li><code>") == 10  # recovery codes, shown this once
    assert "Ativada" in client.get("/account/totp").text
    actions = [action for action, _, _ in audit_actions(story)]
    assert actions[-3:] == ["totp_enrolment_started", "totp_enrolment_failed", "totp_enabled"]


def test_sign_in_asks_for_the_code_after_the_password(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    secret, _ = enrol(client)
    sign_out(client)

    first = password_step(client, ANA)

    assert (first.status_code, first.headers["location"]) == (303, "/login/code")
    assert "atalaia_session" not in client.cookies  # no session before the code
    assert client.get("/", follow_redirects=False).status_code == 303
    page = client.get("/login/code")
    assert 'autocomplete="one-time-code"' in page.text
    done = code_step(client, next_code(secret))
    assert (done.status_code, done.headers["location"]) == (303, "/")
    assert client.get("/").status_code == 200
    actions = audit_actions(story)
    assert ("login_password_accepted", "ok", {"second_factor": "pending"}) in actions
    assert actions[-1] == ("login", "ok", {"second_factor": "totp"})
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(User.last_login_at).where(User.email == ANA)).scalar_one() is not None


def test_wrong_expired_and_replayed_codes_are_refused(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    secret, _ = enrol(client)
    sign_out(client)
    password_step(client, ANA)

    assert code_step(client, wrong_code(secret)).status_code == 401
    expired = pyotp.TOTP(secret).at(time.time() - 120)
    assert code_step(client, expired).status_code == 401
    good = next_code(secret)
    assert code_step(client, good).status_code == 303
    sign_out(client)
    password_step(client, ANA)
    replay = code_step(client, good)

    assert replay.status_code == 401
    assert "código inválido ou já usado" in replay.text
    reasons = [detail for action, _, detail in audit_actions(story) if action == "login_second_factor_failed"]
    assert [d["reason"] for d in reasons if d] == ["wrong_code", "wrong_code", "replayed_code"]


def test_code_failures_are_throttled_per_account(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    secret, _ = enrol(client)
    sign_out(client)
    password_step(client, ANA)

    for _ in range(5):
        assert code_step(client, wrong_code(secret)).status_code == 401
    locked = code_step(client, next_code(secret))  # even the right code waits

    assert locked.status_code == 429
    assert "atalaia_session" not in client.cookies


def test_a_recovery_code_signs_in_once(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    _, codes = enrol(client)
    sign_out(client)
    password_step(client, ANA)

    used = code_step(client, codes[3].upper())  # however it is typed

    assert (used.status_code, used.headers["location"]) == (303, "/account/totp")
    assert "<strong>9</strong>" in client.get("/account/totp").text
    sign_out(client)
    password_step(client, ANA)
    assert code_step(client, codes[3]).status_code == 401
    assert code_step(client, "aaaa-bbbb-cccc-dddd").status_code == 401
    assert code_step(client, codes[4]).status_code == 303
    actions = [action for action, _, _ in audit_actions(story)]
    assert actions.count("recovery_code_used") == 2


def test_turning_it_off_needs_the_password(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    enrol(client)
    token = page_csrf(client)

    refused = client.post("/account/totp/disable", data={"csrf_token": token, "password": "nao-e-a-senha-certa"})
    assert refused.status_code == 401
    assert "Ativada" in refused.text
    done = client.post("/account/totp/disable", data={"csrf_token": token, "password": "senha-muito-segura-123"})
    assert done.status_code == 200
    assert "desativada" in done.text

    sign_out(client)
    assert (password_step(client, ANA).headers["location"]) == "/"  # the password alone again
    with story.setup.runtime.sessions() as session:
        assert session.execute(select(TotpCredential)).first() is None
        assert session.execute(select(RecoveryCode)).first() is None
    assert [a for a, _, _ in audit_actions(story) if a.startswith("totp_disable")] == [
        "totp_disable_failed",
        "totp_disabled",
    ]


def test_the_secret_is_stored_sealed_and_the_recovery_codes_hashed(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    secret, codes = enrol(client)
    runtime = story.setup.runtime

    with runtime.sessions() as session:
        credential = session.execute(select(TotpCredential)).scalar_one()
        hashes = session.execute(select(RecoveryCode.code_hash)).scalars().all()
        tenant = session.get(Tenant, credential.tenant_id)
        assert tenant is not None
        data_key = runtime.data_key(tenant)
    raw = bytes(credential.secret_sealed)
    assert secret.encode() not in raw
    assert secret.lower().encode() not in raw
    assert open_sealed(data_key, raw, aad=f"totp:{credential.tenant_id}:{credential.user_id}".encode()) == (
        secret.encode()
    )
    assert len(hashes) == 10
    assert all(h.startswith("$argon2id$") for h in hashes)
    plain = {code.replace("-", "") for code in codes}
    assert not any(code in h for h in hashes for code in plain)


def test_the_code_step_needs_a_right_password_first(story: Story) -> None:
    client = story.client
    assert client.get("/login/code", follow_redirects=False).headers["location"] == "/login"
    client.cookies.set("atalaia_pending_login", "1.9999999999.x.forjado", path="/login/code")
    token = login_token(client)
    response = client.post("/login/code", data={"code": "123456", "csrf_token": token}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_the_code_form_is_behind_the_csrf_check(story: Story) -> None:
    client = story.client
    sign_in(client, ANA)
    secret, _ = enrol(client)
    sign_out(client)
    password_step(client, ANA)
    csrf_at(client, "/login/code")

    forged = client.post("/login/code", data={"code": next_code(secret), "csrf_token": "forjado"})

    assert forged.status_code == 403
    assert "atalaia_session" not in client.cookies


def test_a_user_without_totp_signs_in_as_before(story: Story) -> None:
    response = password_step(story.client, ANA)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert audit_actions(story)[-1] == ("login", "ok", None)


def test_every_new_console_form_route_is_behind_the_csrf_check() -> None:
    routers = (totp_login.router, totp_pages.router, admin_users.router, audit_page.router)
    unsafe = [
        route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD", "OPTIONS"}
    ]

    assert {"/login/code", "/account/totp/disable", "/admin/users", "/admin/users/{user_id}/disable"} <= {
        route.path for route in unsafe
    }
    for route in unsafe:
        assert any(dep.call is require_csrf for dep in route.dependant.dependencies), route.path
