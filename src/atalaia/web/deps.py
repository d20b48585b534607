"""Request dependencies as named aliases: a session in a transaction, the signed-in user, the API user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession
from atalaia.errors import Unauthorized
from atalaia.runtime import Runtime
from atalaia.services.access import Principal, principal_for
from atalaia.services.auth import resolve_api_token, resolve_session

SESSION_COOKIE = "atalaia_session"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    with get_runtime(request).sessions() as session, session.begin():
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# scope="function": the commit happens before the response leaves. With FastAPI's default for
# yield dependencies ("request") it would happen after, so archived content could reach the
# client before the audit entry of its read was durable, and a redirect after sign-in could race
# the commit of the new session. Costs nothing but FastAPI >= 0.121.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class LoginRequired(Exception):
    """Raised for console pages without a valid session; rendered as a redirect to /login."""


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_console_user(request: Request, session: SessionDep) -> tuple[Principal, LoginSession]:
    resolved = resolve_session(session, request.cookies.get(SESSION_COOKIE))
    if resolved is None:
        raise LoginRequired
    user, login = resolved
    return principal_for(session, user), login


def current_api_user(request: Request, session: SessionDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use Authorization: Bearer <token>")
    return principal_for(session, resolve_api_token(session, token.strip()))


CurrentUser = Annotated[tuple[Principal, LoginSession], Depends(current_console_user)]
ApiUser = Annotated[Principal, Depends(current_api_user)]
