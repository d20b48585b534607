"""`/lines`: the company's lines, one line's page, and what an administrator does to them.

Everyone signed in sees the lines of their scope (a manager: their teams' lines; out of scope is
404 like missing). Only administrators create, reassign, retire and configure connections; the
provider calls (test, create instance, QR code) are in `line_provider.py`, outside the request's
transaction. Secrets typed into the forms are sealed at once and never rendered back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import Line, LoginSession, Tenant
from atalaia.domain.enums import LineStatus, Provider, Role
from atalaia.errors import Conflict, Forbidden, InvalidInput, NotFound
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.line_connections import connect_cloud, connect_gateway, connection_view, webhook_url
from atalaia.services.lines import (
    add_line,
    line_history,
    line_overview,
    line_token,
    reassign_line,
    retire_line,
    visible_line,
)
from atalaia.services.user_admin import list_teams
from atalaia.web.console.gate import NOT_ALLOWED
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

STATUS_LABELS: Final = {
    LineStatus.PENDING.value: "aguardando conexão",
    LineStatus.CONNECTED.value: "conectada",
    LineStatus.DISCONNECTED.value: "desconectada",
    LineStatus.BANNED.value: "banida",
    LineStatus.RETIRED.value: "aposentada",
}
PROVIDER_LABELS: Final = {
    Provider.CLOUD.value: "API oficial (Cloud API)",
    Provider.EVOLUTION.value: "Evolution API",
    Provider.WAHA.value: "WAHA",
    Provider.EXPORT.value: "só exportação de conversa",
}
DONE: Final = {
    "created": "Linha criada.",
    "reassigned": "Linha reatribuída; o histórico foi mantido.",
    "retired": "Linha aposentada; o arquivo foi mantido.",
    "cloud": "Credenciais da Cloud API salvas (guardadas cifradas).",
    "gateway": "Gateway configurado (chave guardada cifrada).",
}
# What the Meta app must subscribe to for a Coexistence line (SPEC.md, Connectors).
CLOUD_FIELDS: Final = ("messages", "smb_message_echoes", "history", "smb_app_state_sync")


def _teams(principal: Principal) -> frozenset[int] | None:
    return None if principal.sees_whole_tenant else principal.team_ids


def _require_admin(principal: Principal) -> None:
    if principal.role is not Role.ADMIN:
        raise Forbidden(NOT_ALLOWED)


@router.get("/lines", response_class=HTMLResponse)
def lines_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = user
    rows = line_overview(session, tenant_id=principal.tenant_id, team_ids=_teams(principal))
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "lines": rows,
        "labels": STATUS_LABELS,
        "providers": PROVIDER_LABELS,
    }
    return templates.TemplateResponse(request, "pages/lines.html", context)


def _new_page(
    request: Request,
    session: Session,
    principal: Principal,
    login: LoginSession,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "values": values or {},
        "error": error,
        "teams": list_teams(session, tenant_id=principal.tenant_id),
        "providers": PROVIDER_LABELS,
    }
    return templates.TemplateResponse(request, "pages/line_new.html", context, status_code=status)


@router.get("/lines/new", response_class=HTMLResponse)
def new_line_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = user
    _require_admin(principal)
    return _new_page(request, session, principal, login)


@router.post("/lines/new")
def create_line(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    number: Annotated[str, Form(max_length=40)] = "",
    provider: Annotated[str, Form(max_length=20)] = "",
    team: Annotated[str, Form(max_length=120)] = "",
    new_team: Annotated[str, Form(max_length=120)] = "",
    employee_email: Annotated[str, Form(max_length=320)] = "",
    employee_name: Annotated[str, Form(max_length=200)] = "",
    phone_number_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    principal, login = user
    _require_admin(principal)
    values = {
        "number": number,
        "provider": provider,
        "team": team,
        "new_team": new_team,
        "employee_email": employee_email,
        "employee_name": employee_name,
        "phone_number_id": phone_number_id,
    }
    tenant = session.get(Tenant, principal.tenant_id)
    try:
        if tenant is None:
            raise NotFound("organização não encontrada")
        created = add_line(
            session,
            tenant_id=principal.tenant_id,
            number=number,
            provider=provider,
            phone_number_id=phone_number_id.strip() or None,
            team=new_team.strip() or team or None,
            employee_email=employee_email.strip() or None,
            employee_name=employee_name.strip() or None,
            data_key=runtime.data_key(tenant),
        )
    except (InvalidInput, Conflict) as exc:
        return _new_page(request, session, principal, login, values=values, error=exc.message, status=exc.status)
    line = created.line
    audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=principal.email,
        user_id=principal.user_id,
        action="line_created",
        object_type="line",
        object_id=line.id,
        detail={"number": line.number, "provider": line.provider},
        ip=client_ip(request),
    )
    return RedirectResponse(f"/lines/{line.id}?done=created", status_code=303)


def line_page(
    request: Request,
    session: Session,
    runtime: Runtime,
    principal: Principal,
    login: LoginSession,
    line_id: int,
    *,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
    reveal: bool = False,
) -> Response:
    """The line's page; shared with line_provider.py, which renders it after a provider call."""
    line = visible_line(session, tenant_id=principal.tenant_id, line_id=line_id, team_ids=_teams(principal))
    row = next(r for r in line_overview(session, tenant_id=principal.tenant_id) if r.id == line.id)
    is_admin = principal.role is Role.ADMIN
    connection = connection_view(session, line, public_url=runtime.settings.public_url)
    secret = _gateway_secret(session, runtime, principal, line, request) if is_admin and reveal else None
    waiting = line.provider in (Provider.EVOLUTION.value, Provider.WAHA.value) and line.status in (
        LineStatus.PENDING.value,
        LineStatus.DISCONNECTED.value,
    )
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "line": line,
        "row": row,
        "history": line_history(session, line_id=line.id),
        "connection": connection,
        "is_admin": is_admin,
        "labels": STATUS_LABELS,
        "providers": PROVIDER_LABELS,
        "cloud_fields": CLOUD_FIELDS,
        "cloud_webhook": webhook_url(Provider.CLOUD.value, runtime.settings.public_url),
        "gateway_webhook": webhook_url(line.provider, runtime.settings.public_url),
        "gateway_secret": secret,
        "allowed_origins": runtime.settings.gateway_api_origins,
        "show_qr": is_admin and waiting and connection is not None and connection.instance_created_at is not None,
        "refresh": is_admin and waiting and connection is not None and connection.instance_created_at is not None,
        "done": done,
        "error": error,
    }
    return templates.TemplateResponse(request, "pages/line.html", context, status_code=status)


def _gateway_secret(
    session: Session, runtime: Runtime, principal: Principal, line: Line, request: Request
) -> str | None:
    """The line's webhook token, for an administrator configuring the gateway by hand; audited."""
    if line.provider not in (Provider.EVOLUTION.value, Provider.WAHA.value) or line.token_sealed is None:
        return None
    tenant = session.get(Tenant, line.tenant_id)
    if tenant is None:
        return None
    audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=principal.email,
        user_id=principal.user_id,
        action="line_secret_shown",
        object_type="line",
        object_id=line.id,
        ip=client_ip(request),
    )
    return line_token(line, data_key=runtime.data_key(tenant))


@router.get("/lines/{line_id}", response_class=HTMLResponse)
def line_detail(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, line_id: int, done: str = ""
) -> Response:
    principal, login = user
    return line_page(request, session, runtime, principal, login, line_id, done=DONE.get(done))


def _act(
    request: Request,
    session: Session,
    runtime: Runtime,
    user: tuple[Principal, LoginSession],
    line_id: int,
    *,
    change: Callable[[Line], dict[str, Any]],
    action: str,
    done: str,
) -> Response:
    """Every administrator action on a line: do it (or show why not on the line's page), audit
    what `change` reports, and go back to the page."""
    principal, login = user
    _require_admin(principal)
    line = visible_line(session, tenant_id=principal.tenant_id, line_id=line_id, team_ids=None)
    try:
        detail = change(line)
    except (InvalidInput, Conflict) as exc:
        return line_page(request, session, runtime, principal, login, line_id, error=exc.message, status=exc.status)
    audit.record(session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
                 action=action, object_type="line", object_id=line.id, detail=detail,
                 ip=client_ip(request))  # fmt: skip
    return RedirectResponse(f"/lines/{line.id}?done={done}", status_code=303)


def _data_key(session: Session, runtime: Runtime, line: Line) -> bytes:
    tenant = session.get(Tenant, line.tenant_id)
    if tenant is None:
        raise NotFound("organização não encontrada")
    return runtime.data_key(tenant)


@router.post("/lines/{line_id}/reassign")
def reassign(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    line_id: int,
    employee_email: Annotated[str, Form(max_length=320)] = "",
    employee_name: Annotated[str, Form(max_length=200)] = "",
    team: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    def change(line: Line) -> dict[str, Any]:
        _, previous = reassign_line(session, tenant_id=line.tenant_id, number=line.number,
                                    employee_email=employee_email, employee_name=employee_name.strip() or None,
                                    team=team.strip() or None, now=datetime.now(UTC))  # fmt: skip
        return {"from": previous, "to": employee_email.strip().lower()}

    return _act(request, session, runtime, user, line_id, change=change, action="line_reassigned", done="reassigned")


@router.post("/lines/{line_id}/retire")
def retire(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    line_id: int,
    reason: Annotated[str, Form(max_length=500)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def change(line: Line) -> dict[str, Any]:
        if confirm != "sim":
            raise InvalidInput("marque a confirmação para aposentar a linha")
        if not reason.strip():
            raise InvalidInput("diga o motivo (fica no registro de auditoria)")
        retire_line(session, tenant_id=line.tenant_id, number=line.number, now=datetime.now(UTC))
        return {"reason": reason.strip()[:500]}

    return _act(request, session, runtime, user, line_id, change=change, action="line_retired", done="retired")


@router.post("/lines/{line_id}/cloud")
def save_cloud(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    line_id: int,
    phone_number_id: Annotated[str, Form(max_length=64)] = "",
    access_token: Annotated[str, Form(max_length=1000)] = "",
    app_secret: Annotated[str, Form(max_length=1000)] = "",
    verify_token: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def change(line: Line) -> dict[str, Any]:
        connect_cloud(session, line=line, phone_number_id=phone_number_id, access_token=access_token,
                      app_secret=app_secret, verify_token=verify_token,
                      data_key=_data_key(session, runtime, line), now=datetime.now(UTC))  # fmt: skip
        return {"provider": "cloud", "phone_number_id": line.phone_number_id}

    return _act(request, session, runtime, user, line_id, change=change, action="line_connected", done="cloud")


@router.post("/lines/{line_id}/gateway")
def save_gateway(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    line_id: int,
    base_url: Annotated[str, Form(max_length=400)] = "",
    api_key: Annotated[str, Form(max_length=1000)] = "",
    instance: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    def change(line: Line) -> dict[str, Any]:
        connect_gateway(session, line=line, base_url=base_url, api_key=api_key, instance=instance,
                        allowed_origins=runtime.settings.gateway_api_origins,
                        data_key=_data_key(session, runtime, line), now=datetime.now(UTC))  # fmt: skip
        return {"provider": line.provider, "instance": line.instance}

    return _act(request, session, runtime, user, line_id, change=change, action="line_connected", done="gateway")


@router.post("/lines/{line_id}/secret", response_class=HTMLResponse)
def reveal_secret(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, line_id: int
) -> Response:
    """The line's webhook token, shown on demand (and audited) to configure a gateway by hand."""
    principal, login = user
    _require_admin(principal)
    return line_page(request, session, runtime, principal, login, line_id, reveal=True)
