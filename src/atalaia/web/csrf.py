"""CSRF protection for console forms, enforced for every unsafe method on the console router.

Signed-in forms carry the session's synchroniser token (`LoginSession.csrf_token`). The sign-in
form and its second step (the TOTP code) have no session yet, so they use a double-submit cookie:
a random value in a SameSite=Strict, HttpOnly cookie and in the form. `require_csrf` is a
router-level dependency of the console, so a new POST route cannot forget the check; the API
(bearer tokens, no cookies) and webhooks (signatures) do not need it and are not on that router.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Final

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from atalaia.db.models import LoginSession
from atalaia.errors import Forbidden
from atalaia.services.auth import resolve_session
from atalaia.web.deps import SESSION_COOKIE, SessionDep

LOGIN_CSRF_COOKIE: Final = "atalaia_login_csrf"
LOGIN_PATHS: Final = frozenset({"/login", "/login/code"})  # forms shown before any session exists
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FAILED: Final = "formulário expirado ou inválido; recarregue a página e tente de novo"


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def check_login_token(*, cookie: str | None, form: str | None) -> None:
    if not cookie or not form or not hmac.compare_digest(cookie.encode(), form.encode()):
        raise Forbidden(CSRF_FAILED)


def check_session_token(login: LoginSession, form: str | None) -> None:
    if not form or not hmac.compare_digest(login.csrf_token.encode(), form.encode()):
        raise Forbidden(CSRF_FAILED)


async def require_csrf(request: Request, session: SessionDep) -> None:
    """403 for an unsafe request whose form lacks the right token; runs before the route's body."""
    if request.method in SAFE_METHODS:
        return
    form = await request.form()  # parsed once and cached: the route's Form() fields reuse it
    value = form.get("csrf_token")
    submitted = value if isinstance(value, str) else None
    if getattr(request.scope.get("route"), "path", None) in LOGIN_PATHS:
        check_login_token(cookie=request.cookies.get(LOGIN_CSRF_COOKIE), form=submitted)
        return
    resolved = await run_in_threadpool(resolve_session, session, request.cookies.get(SESSION_COOKIE))
    if resolved is None:
        raise Forbidden(CSRF_FAILED)  # no session, so no token can be right
    check_session_token(resolved[1], submitted)
