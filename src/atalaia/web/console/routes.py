"""Sign-in, sign-out, the home page and conversation pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from atalaia.db.models import Tenant
from atalaia.errors import InvalidInput, NotFound, Unauthorized
from atalaia.services.access import count_visible_conversations, get_conversation, list_conversations
from atalaia.services.auth import check_password, end_session, record_sign_in
from atalaia.services.lines import line_overview
from atalaia.services.stats import tenant_stats
from atalaia.services.tenancy import DEFAULT_TENANT_SLUG
from atalaia.services.totp import second_factor_required
from atalaia.web.console.signin import ask_for_code, finish_sign_in
from atalaia.web.console.step_in_view import step_in_context
from atalaia.web.csrf import LOGIN_CSRF_COOKIE, new_login_token, require_csrf
from atalaia.web.deps import SESSION_COOKIE, CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.errors import render_error
from atalaia.web.templating import templates

# Every unsafe method on this router passes the CSRF check before its body runs.
router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _login_page(
    request: Request, *, error: str | None = None, email: str = "", tenant: str = "", status: int = 200
) -> Response:
    token = new_login_token()
    context = {"csrf_token": token, "error": error, "email": email, "tenant": tenant}
    response = templates.TemplateResponse(request, "pages/login.html", context, status_code=status)
    secure = request.app.state.runtime.settings.cookie_secure
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    tenant: Annotated[str, Form(max_length=64)] = DEFAULT_TENANT_SLUG,
) -> Response:
    del csrf_token  # checked by require_csrf; declared so the form documents its fields
    throttle = request.app.state.login_throttle
    ip = client_ip(request) or "?"
    tenant = tenant.strip().lower() or DEFAULT_TENANT_SLUG
    other_tenant = "" if tenant == DEFAULT_TENANT_SLUG else tenant
    if throttle.locked(ip, email):
        return _login_page(request, error="Tentativas demais. Aguarde 15 minutos.", email=email,
                           tenant=other_tenant, status=429)  # fmt: skip
    try:
        user = check_password(session, tenant_slug=tenant, email=email, password=password, ip=ip)
    except Unauthorized as exc:
        # Answered, not raised, so the transaction commits the audit of the failed attempt.
        throttle.failed(ip, email)
        return _login_page(request, error=exc.message, email=email, tenant=other_tenant, status=401)
    throttle.succeeded(ip, email)
    if second_factor_required(session, user=user):
        return ask_for_code(request, session, user, ip)  # the session starts after the code (totp_login.py)
    record_sign_in(session, user=user, ip=ip)
    return finish_sign_in(request, session, runtime, user, ip)


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    del user  # only signed-in sessions sign out; require_csrf checked the form's token
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = user
    tenant = session.get(Tenant, principal.tenant_id)
    stats = tenant_stats(session, tenant_id=principal.tenant_id) if principal.sees_whole_tenant else None
    context = {
        "principal": principal,
        "tenant": tenant,
        "stats": stats,
        "visible_conversations": count_visible_conversations(session, principal=principal),
        # Lines, like the counts, are the whole tenant's: shown to those who see all of it.
        "lines": line_overview(session, tenant_id=principal.tenant_id) if principal.sees_whole_tenant else None,
        "csrf_token": login.csrf_token,
    }
    return templates.TemplateResponse(request, "pages/home.html", context)


@router.get("/conversations", response_class=HTMLResponse)
def conversations(request: Request, session: SessionDep, user: CurrentUser, page: int = 1) -> Response:
    principal, login = user
    if page < 1 or page > 100_000:
        raise InvalidInput("página inválida")
    rows = list_conversations(session, principal=principal, limit=50, offset=(page - 1) * 50, ip=client_ip(request))
    context = {"principal": principal, "rows": rows, "page": page, "csrf_token": login.csrf_token}
    return templates.TemplateResponse(request, "pages/conversations.html", context)


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, conversation_id: int
) -> Response:
    principal, login = user
    try:
        data = get_conversation(session, principal=principal, conversation_id=conversation_id, ip=client_ip(request))
    except NotFound as exc:
        # Answered, not raised, so the transaction commits the audit of the denied attempt.
        return render_error(request, exc.status, exc.message)
    context = {"principal": principal, "conversation": data, "csrf_token": login.csrf_token,
               **step_in_context(session, runtime, principal, data)}  # fmt: skip
    return templates.TemplateResponse(request, "pages/conversation.html", context)
