"""Helpers for the second-factor and administration tests, on top of the web `story`.

The story has no administrator: `add_admin` makes Eva one. Codes come from pyotp, as a phone
would make them. Enrolment uses the current time step, so a sign-in right after it uses the
next one (`next_code`): the current one is spent, and a replay is refused.
"""

from __future__ import annotations

import re
import time

import pyotp
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry
from atalaia.services.people import create_user
from tests.web.conftest import PASSWORD, Story, page_csrf, sign_in

ADMIN = "eva@exemplo.com.br"


def add_admin(story: Story, email: str = ADMIN) -> int:
    with transaction(story.setup.runtime.sessions) as session:
        user = create_user(session, tenant_id=story.setup.tenant.id, email=email, role="admin", password=PASSWORD)
        return user.user.id


def csrf_at(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, path
    return match.group(1)


def enrol(client: TestClient) -> tuple[str, list[str]]:
    """Turns TOTP on for the signed-in user; returns the secret and the recovery codes shown."""
    token = page_csrf(client)
    assert client.post("/account/totp/start", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    setup = client.get("/account/totp/setup")
    match = re.search(r'id="totp-secret">([^<]+)<', setup.text)
    assert match, setup.text
    secret = match.group(1).replace(" ", "")
    done = client.post("/account/totp/confirm", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.text
    return secret, re.findall(r"<li><code>([0-9a-z-]{19})</code></li>", done.text)


def next_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30)


def wrong_code(secret: str) -> str:
    """A 6-digit code that is none of the accepted ones right now."""
    totp, now = pyotp.TOTP(secret), time.time()
    valid = {totp.at(now + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(candidate for candidate in (f"{n:06d}" for n in range(100)) if candidate not in valid)


def sign_out(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": page_csrf(client)})
    client.cookies.clear()


def password_step(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    response = sign_in(client, email, password)
    assert isinstance(response, Response)
    return response


def code_step(client: TestClient, code: str) -> Response:
    return client.post(
        "/login/code", data={"code": code, "csrf_token": csrf_at(client, "/login/code")}, follow_redirects=False
    )


def audit_actions(story: Story) -> list[tuple[str, str, dict[str, object] | None]]:
    with story.setup.runtime.sessions() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.outcome, AuditEntry.detail).order_by(AuditEntry.seq)
        )
        return [(action, outcome, detail) for action, outcome, detail in rows]
