"""`/onboarding/{token}`: the public page where an invited employee reads and accepts the usage rules.

No session and no sign-in: the link's token is the credential (see services/onboarding/invitations.py).
The accept form carries a double-submit CSRF value (a SameSite=Strict cookie scoped to
/onboarding and the same value in the form), like the sign-in form. Failed links count against
the requesting address (web/ratelimit.py): after too many, every onboarding request from it gets
429 for a while, which makes guessing tokens pointless on top of their 256 bits. Requests from
one office share an address, but people with real links never fail, so they are not slowed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from atalaia.db.engine import transaction
from atalaia.errors import Conflict
from atalaia.services.onboarding import InvitationRefused, OpenedInvitation, accept, open_invitation, render_markdown
from atalaia.services.onboarding.invitations import REFUSALS
from atalaia.web.csrf import check_login_token, new_login_token
from atalaia.web.deps import client_ip, get_runtime
from atalaia.web.ratelimit import LoginThrottle
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False)
CSRF_COOKIE: Final = "atalaia_onboarding_csrf"
THROTTLE_KEY: Final = "onboarding"
MAX_FAILURES: Final = 20  # bad links per address per 15 minutes
MAX_TOKEN_CHARS: Final = 100
TOO_MANY: Final = "Tentativas demais com links inválidos a partir deste endereço. Aguarde 15 minutos."


def onboarding_throttle() -> LoginThrottle:
    return LoginThrottle(max_failures=MAX_FAILURES)


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.onboarding_throttle
    return throttle


def _error(request: Request, status: int, message: str) -> Response:
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)  # fmt: skip


def _refused(request: Request, exc: InvitationRefused) -> Response:
    _throttle(request).failed(client_ip(request) or "?", THROTTLE_KEY)
    return _error(request, exc.status, exc.message)


def _page(request: Request, token: str, opened: OpenedInvitation, *, error: str | None = None,
          status: int = 200) -> Response:  # fmt: skip
    csrf = new_login_token()
    context = {"opened": opened, "rules_html": render_markdown(opened.rules.body), "token": token,
               "csrf_token": csrf, "error": error}  # fmt: skip
    response = templates.TemplateResponse(request, "pages/onboarding.html", context, status_code=status)
    secure = request.app.state.runtime.settings.cookie_secure
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure, max_age=3600,
                        path="/onboarding")  # fmt: skip
    return response


def _locked(request: Request) -> bool:
    return _throttle(request).locked(client_ip(request) or "?", THROTTLE_KEY)


@router.get("/onboarding/{token}", response_class=HTMLResponse)
def onboarding_page(request: Request, token: str) -> Response:
    if _locked(request):
        return _error(request, 429, TOO_MANY)
    if len(token) > MAX_TOKEN_CHARS:
        return _refused(request, InvitationRefused("invalid"))
    refused: InvitationRefused | None = None
    with transaction(get_runtime(request).sessions) as session:
        try:
            opened = open_invitation(session, token=token, now=datetime.now(UTC), ip=client_ip(request))
        except InvitationRefused as exc:
            refused = exc  # answered after the commit, which keeps the audit of the refusal
    if refused is not None:
        return _refused(request, refused)
    return _page(request, token, opened)


@router.post("/onboarding/{token}", response_class=HTMLResponse)
def onboarding_accept(
    request: Request,
    token: str,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[int, Form(ge=1, le=1_000_000)] = 1,
    agree: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if _locked(request):
        return _error(request, 429, TOO_MANY)
    if len(token) > MAX_TOKEN_CHARS:
        return _refused(request, InvitationRefused("invalid"))
    check_login_token(cookie=request.cookies.get(CSRF_COOKIE), form=csrf_token)
    ip, now = client_ip(request), datetime.now(UTC)
    runtime = get_runtime(request)
    refused: InvitationRefused | None = None
    with transaction(runtime.sessions) as session:
        try:
            opened = open_invitation(session, token=token, now=now, ip=ip)
        except InvitationRefused as exc:
            refused = exc
    if refused is not None:
        return _refused(request, refused)
    if agree != "sim":
        return _page(request, token, opened, error="Marque a caixa de confirmação para registrar o aceite.",
                     status=422)  # fmt: skip
    try:
        with transaction(runtime.sessions) as session:
            done = accept(session, token=token, version=version, now=now, ip=ip,
                          user_agent=request.headers.get("user-agent"))  # fmt: skip
    except Conflict as exc:  # the rules changed while the page was open: show the new version
        with transaction(runtime.sessions) as session:
            opened = open_invitation(session, token=token, now=now, ip=ip)
        return _page(request, token, opened, error=exc.message, status=409)
    except InvitationRefused as exc:  # the same link submitted twice at once: the other one won
        return _error(request, exc.status, exc.message)
    return templates.TemplateResponse(request, "pages/onboarding_done.html", {"done": done})


__all__ = ["REFUSALS", "onboarding_throttle", "router"]
