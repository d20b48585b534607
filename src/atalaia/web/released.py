"""Authentication for routes that wait on a provider: resolved in a short transaction of its own.

`SessionDep` holds one transaction for the whole request, and on SQLite every transaction holds
the write lock, so a route that waits ten seconds on a slow gateway would make every webhook wait
too. The few routes that call a provider (services/line_checks.py) resolve the user, and check
the console form's CSRF token, with these dependencies instead, then run their own short
transactions around the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from atalaia.db.engine import transaction
from atalaia.domain.enums import Role
from atalaia.errors import Forbidden, Unauthorized
from atalaia.runtime import Runtime
from atalaia.services.access import Principal, principal_for
from atalaia.services.auth import resolve_api_token, resolve_session
from atalaia.web.console.gate import NOT_ALLOWED
from atalaia.web.csrf import CSRF_FAILED, SAFE_METHODS, check_session_token
from atalaia.web.deps import SESSION_COOKIE, LoginRequired, client_ip


@dataclass(frozen=True, slots=True)
class ReleasedUser:
    principal: Principal
    csrf_token: str
    ip: str | None


def _console(runtime: Runtime, cookie: str | None, submitted: str | None, *, unsafe: bool) -> tuple[Principal, str]:
    with transaction(runtime.sessions) as session:
        resolved = resolve_session(session, cookie)
        if resolved is None:
            if unsafe:
                raise Forbidden(CSRF_FAILED)  # no session, so no token can be right
            raise LoginRequired
        user, login = resolved
        if unsafe:
            check_session_token(login, submitted)
        return principal_for(session, user), login.csrf_token


async def released_console_user(request: Request) -> ReleasedUser:
    """The signed-in user, with the CSRF check of every unsafe method (as `require_csrf`)."""
    runtime: Runtime = request.app.state.runtime
    unsafe = request.method not in SAFE_METHODS
    submitted = None
    if unsafe:
        value = (await request.form()).get("csrf_token")
        submitted = value if isinstance(value, str) else None
    principal, token = await run_in_threadpool(
        _console, runtime, request.cookies.get(SESSION_COOKIE), submitted, unsafe=unsafe
    )
    return ReleasedUser(principal, token, client_ip(request))


async def released_console_admin(request: Request) -> ReleasedUser:
    """`released_console_user`, who must be an administrator."""
    user = await released_console_user(request)
    if user.principal.role is not Role.ADMIN:
        raise Forbidden(NOT_ALLOWED)
    return user


def _api(runtime: Runtime, token: str) -> Principal:
    with transaction(runtime.sessions) as session:
        return principal_for(session, resolve_api_token(session, token))


async def released_api_admin(request: Request) -> ReleasedUser:
    """The API token's user, who must be an administrator."""
    runtime: Runtime = request.app.state.runtime
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use Authorization: Bearer <token>")
    principal = await run_in_threadpool(_api, runtime, token.strip())
    if principal.role is not Role.ADMIN:
        raise Forbidden("somente administradores conectam e testam linhas")
    return ReleasedUser(principal, "", client_ip(request))
