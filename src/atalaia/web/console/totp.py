"""`/account/totp`: a signed-in person turns their own TOTP second factor on or off.

On: start (a new secret, pending), scan the QR code drawn on the server, confirm with a first
code, and the recovery codes are shown once, in that answer only. Off: the password is asked
again, with failures throttled per account like sign-in codes. The services audit every step.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession, Tenant, User
from atalaia.errors import Conflict
from atalaia.runtime import Runtime
from atalaia.services.access import Principal
from atalaia.services.totp import (
    SecondFactorRefused,
    begin_enrolment,
    confirm_enrolment,
    disable_totp,
    pending_enrolment,
    totp_status,
)
from atalaia.web.console.totp_login import TOO_MANY, throttle_key, totp_throttle
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.qr import qr_svg
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

DONE: Final = {"off": "Verificação em duas etapas desativada."}


def _user(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    assert user is not None  # the session resolved to this user a moment ago
    return user


def _data_key(session: Session, runtime: Runtime, principal: Principal) -> bytes:
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    return runtime.data_key(tenant)


def _status_page(
    request: Request,
    session: Session,
    principal: Principal,
    login: LoginSession,
    *,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "totp": totp_status(session, user_id=principal.user_id),
        "error": error,
        "done": done,
    }
    return templates.TemplateResponse(request, "pages/account_totp.html", context, status_code=status)


@router.get("/account/totp", response_class=HTMLResponse)
def status_page(request: Request, session: SessionDep, user: CurrentUser, done: str = "") -> Response:
    principal, login = user
    return _status_page(request, session, principal, login, done=DONE.get(done))


@router.post("/account/totp/start")
def start(request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser) -> Response:
    principal, _ = user
    try:
        begin_enrolment(
            session,
            user=_user(session, principal),
            data_key=_data_key(session, runtime, principal),
            ip=client_ip(request),
        )
    except Conflict:
        return RedirectResponse("/account/totp", status_code=303)  # already on: nothing to start
    return RedirectResponse("/account/totp/setup", status_code=303)


def _setup_page(
    request: Request,
    session: Session,
    runtime: Runtime,
    principal: Principal,
    login: LoginSession,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    enrolment = pending_enrolment(
        session, user=_user(session, principal), data_key=_data_key(session, runtime, principal)
    )
    if enrolment is None:
        return RedirectResponse("/account/totp", status_code=303)
    context: dict[str, Any] = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "qr": qr_svg(enrolment.uri),
        "secret_groups": [enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)],
        "uri": enrolment.uri,
        "error": error,
    }
    return templates.TemplateResponse(request, "pages/account_totp_setup.html", context, status_code=status)


@router.get("/account/totp/setup", response_class=HTMLResponse)
def setup(request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser) -> Response:
    principal, login = user
    return _setup_page(request, session, runtime, principal, login)


@router.post("/account/totp/confirm")
def confirm(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    principal, login = user
    try:
        codes = confirm_enrolment(
            session,
            user=_user(session, principal),
            data_key=_data_key(session, runtime, principal),
            code=code,
            ip=client_ip(request),
        )
    except SecondFactorRefused as exc:
        # Answered, not raised: the audit of the refused code commits.
        return _setup_page(request, session, runtime, principal, login, error=exc.message, status=400)
    except Conflict:
        return RedirectResponse("/account/totp", status_code=303)
    context = {"principal": principal, "csrf_token": login.csrf_token, "codes": codes}
    return templates.TemplateResponse(request, "pages/account_totp_codes.html", context)


@router.post("/account/totp/disable")
def disable(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    principal, login = user
    throttle, key = totp_throttle(request), throttle_key(principal.user_id)
    if throttle.locked(*key):
        return _status_page(request, session, principal, login, error=TOO_MANY, status=429)
    try:
        disable_totp(session, user=_user(session, principal), password=password, ip=client_ip(request))
    except SecondFactorRefused as exc:
        throttle.failed(*key)
        return _status_page(request, session, principal, login, error=exc.message, status=401)
    return RedirectResponse("/account/totp?done=off", status_code=303)
