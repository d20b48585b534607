"""`/login/code`: the second step of signing in, for users with a TOTP second factor.

Reached only with the pending cookie that a right password set (`signin.py`). Failures are
throttled per account, from any address (5 in 15 minutes): the password is already known to
whoever is here, so an address-bound limit would let a botnet try a million codes.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from atalaia.db.models import Tenant, User
from atalaia.services.auth import record_sign_in
from atalaia.services.totp import SecondFactorRefused, check_sign_in_code, second_factor_required
from atalaia.web.console.signin import PENDING_COOKIE, finish_sign_in, form_without_session, pending_user_id
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import RuntimeDep, SessionDep, client_ip
from atalaia.web.ratelimit import LoginThrottle

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

TEMPLATE: Final = "pages/login_code.html"
TOO_MANY: Final = "Tentativas demais. Aguarde 15 minutos."


def totp_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.totp_throttle
    return throttle


def throttle_key(user_id: int) -> tuple[str, str]:
    """(address, name) as LoginThrottle takes them: no address, so the limit is per account."""
    return "*", f"user:{user_id}"


def _back_to_password() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(PENDING_COOKIE, path="/login/code")
    return response


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request) -> Response:
    if pending_user_id(request) is None:
        return _back_to_password()
    return form_without_session(request, TEMPLATE, {"error": None})


@router.post("/login/code")
def code_submit(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    code: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    del csrf_token  # checked by require_csrf
    user_id = pending_user_id(request)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active or not second_factor_required(session, user=user):
        return _back_to_password()  # expired, forged, disabled, or the factor was reset meanwhile
    throttle, key = totp_throttle(request), throttle_key(user.id)
    if throttle.locked(*key):
        return form_without_session(request, TEMPLATE, {"error": TOO_MANY}, status=429)
    ip = client_ip(request) or "?"
    tenant = session.get(Tenant, user.tenant_id)
    assert tenant is not None  # users.tenant_id is a foreign key
    try:
        method = check_sign_in_code(session, user=user, data_key=runtime.data_key(tenant), code=code, ip=ip)
    except SecondFactorRefused as exc:
        # Answered, not raised, so the transaction commits the audit of the failed attempt.
        throttle.failed(*key)
        return form_without_session(request, TEMPLATE, {"error": exc.message}, status=401)
    throttle.succeeded(*key)
    record_sign_in(session, user=user, ip=ip, second_factor=method)
    # After a recovery code, the account page says how many are left.
    return finish_sign_in(request, session, runtime, user, ip, to="/account/totp" if method != "totp" else "/")
