"""Completing a sign-in: the session cookie, and the short-lived proof of a right password.

When a user has a second factor, the password step does not start a session: it sets a pending
cookie (the user id and an expiry, HMAC-signed with a key derived from the master secret, five
minutes) that only the code step (`totp_login.py`) accepts. Nothing is stored for it, and it
signs nobody in by itself: the code step still needs a valid code and re-reads the user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any, Final

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import User
from atalaia.runtime import Runtime
from atalaia.security.keys import derive_key
from atalaia.services import audit
from atalaia.services.auth import start_session
from atalaia.web.csrf import LOGIN_CSRF_COOKIE, new_login_token
from atalaia.web.deps import SESSION_COOKIE
from atalaia.web.templating import templates

PENDING_COOKIE: Final = "atalaia_pending_login"
PENDING_SECONDS: Final = 300
CODE_PATH: Final = "/login/code"


def _pending_key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "pending_login_key", None)
    if key is None:
        runtime: Runtime = request.app.state.runtime
        key = derive_key(runtime.settings.master_secret(), "atalaia/pending-login/v1")
        request.app.state.pending_login_key = key
    return key


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def pending_value(key: bytes, *, user_id: int, now: float) -> str:
    body = f"{user_id}.{int(now) + PENDING_SECONDS}.{secrets.token_urlsafe(9)}"
    return f"{body}.{_mac(key, body)}"


def read_pending_value(key: bytes, value: str | None, *, now: float) -> int | None:
    """The user id a pending cookie vouches for; None when absent, forged or expired."""
    if not value or value.count(".") != 3:
        return None
    body, _, mac = value.rpartition(".")
    if not hmac.compare_digest(_mac(key, body).encode(), mac.encode()):
        return None
    user_id, expires, _nonce = body.split(".")
    if not (user_id.isdecimal() and expires.isdecimal()) or int(expires) < now:
        return None
    return int(user_id)


def pending_user_id(request: Request) -> int | None:
    return read_pending_value(_pending_key(request), request.cookies.get(PENDING_COOKIE), now=time.time())


def ask_for_code(request: Request, session: Session, user: User, ip: str) -> Response:
    """The password was right and a code is still needed: audited, then on to the code page."""
    audit.record(
        session,
        tenant_id=user.tenant_id,
        actor=user.email,
        user_id=user.id,
        action="login_password_accepted",
        detail={"second_factor": "pending"},
        ip=ip,
    )
    response = RedirectResponse(CODE_PATH, status_code=303)
    secure = request.app.state.runtime.settings.cookie_secure
    value = pending_value(_pending_key(request), user_id=user.id, now=time.time())
    response.set_cookie(
        PENDING_COOKIE, value, httponly=True, samesite="strict", secure=secure, max_age=PENDING_SECONDS, path=CODE_PATH
    )
    return response


def finish_sign_in(
    request: Request, session: Session, runtime: Runtime, user: User, ip: str, *, to: str = "/"
) -> Response:
    """Starts the console session and sets its cookie; the caller has already recorded the sign-in."""
    started = start_session(
        session, user=user, hours=runtime.settings.session_hours, ip=ip, user_agent=request.headers.get("user-agent")
    )
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        started.cookie_token,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.cookie_secure,
        max_age=runtime.settings.session_hours * 3600,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    response.delete_cookie(PENDING_COOKIE, path=CODE_PATH)
    return response


def form_without_session(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> Response:
    """A sign-in form page: a fresh double-submit CSRF token in the form and in its cookie."""
    token = new_login_token()
    response = templates.TemplateResponse(request, template, {**context, "csrf_token": token}, status_code=status)
    secure = request.app.state.runtime.settings.cookie_secure
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=3600)
    return response
