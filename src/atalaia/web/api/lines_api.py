"""`/api/v1/lines`: the lines a token's user may see (status, holder, capture problems), and for
administrators creating, connecting, testing, reassigning and retiring them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from atalaia.db.engine import transaction
from atalaia.db.models import Line, Tenant
from atalaia.domain.enums import Role
from atalaia.errors import Forbidden, InvalidInput, NotFound
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.line_checks import Actor, CheckOutcome, check_connection, create_instance
from atalaia.services.line_connections import connect_cloud, connect_gateway, connection_view
from atalaia.services.lines import add_line, line_overview, reassign_line, retire_line, visible_line
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.released import ReleasedUser, released_api_admin

router = APIRouter(prefix="/api/v1", tags=["api"], responses={401: {"model": ErrorOut}})


class LineOut(BaseModel):
    number: str
    provider: str
    status: str
    team: str | None
    employee: str | None
    last_event_at: datetime | None
    history_phase: int | None
    history_progress: int | None
    media_waiting: int
    media_failed: int
    gap_since: datetime | None = None
    gap_reason: str | None = None
    id: int = 0


@router.get("/lines", response_model=list[LineOut], summary="Lines: status, holder, backfill, media problems")
def lines(session: SessionDep, principal: ApiUser) -> list[LineOut]:
    # A manager sees the lines of their teams; the tenant-wide roles see every line.
    teams = None if principal.sees_whole_tenant else principal.team_ids
    rows = line_overview(session, tenant_id=principal.tenant_id, team_ids=teams)
    return [LineOut(**asdict(row)) for row in rows]


class LineIn(BaseModel):
    number: str = Field(max_length=40)
    provider: str = Field(max_length=20)
    team: str | None = Field(default=None, max_length=120)
    employee_email: str | None = Field(default=None, max_length=320)
    employee_name: str | None = Field(default=None, max_length=200)
    phone_number_id: str | None = Field(default=None, max_length=64)
    instance: str | None = Field(default=None, max_length=60)
    timezone: str = Field(default="America/Sao_Paulo", max_length=64)


class CreatedLineOut(BaseModel):
    id: int
    number: str
    provider: str
    status: str
    token: str | None = Field(description="Gateway lines: the webhook token, shown this once.")


class CloudIn(BaseModel):
    phone_number_id: str = Field(max_length=64)
    access_token: str = Field(default="", max_length=1000, description="Empty keeps the stored one.")
    app_secret: str = Field(default="", max_length=1000)
    verify_token: str = Field(default="", max_length=1000)


class GatewayIn(BaseModel):
    base_url: str = Field(max_length=400)
    api_key: str = Field(default="", max_length=1000, description="Empty keeps the stored one.")
    instance: str = Field(default="", max_length=60)
    create_instance: bool = Field(default=True, description="Create the instance with Atalaia's webhook now.")


class ConnectionOut(BaseModel):
    kind: str
    base_url: str | None
    instance: str | None
    hints: dict[str, str] = Field(description="What may be shown of each secret: never the secret.")
    webhook_url: str
    ok: bool | None = None
    message: str | None = None


class CheckOut(BaseModel):
    ok: bool
    message: str


class ReassignIn(BaseModel):
    employee_email: str = Field(max_length=320)
    employee_name: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=120)


class RetireIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class LineStateOut(BaseModel):
    id: int
    number: str
    status: str
    employee: str | None = None


def _admin(principal: Principal) -> None:
    if principal.role is not Role.ADMIN:
        raise Forbidden("somente administradores criam, conectam, reatribuem e aposentam linhas")


def _tenant(session: Session, principal: Principal) -> Tenant:
    tenant = session.get(Tenant, principal.tenant_id)
    if tenant is None:
        raise NotFound("organização não encontrada")
    return tenant


def _audit(
    session: Session, principal: Principal, request: Request, action: str, line_id: int, detail: dict[str, object]
) -> None:
    audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=principal.email,
        user_id=principal.user_id,
        action=action,
        object_type="line",
        object_id=line_id,
        detail=detail,
        ip=client_ip(request),
    )


@router.post("/lines", response_model=CreatedLineOut, status_code=201, summary="Create a line (administrators)")
def create_line(
    body: LineIn, request: Request, session: SessionDep, runtime: RuntimeDep, principal: ApiUser
) -> CreatedLineOut:
    _admin(principal)
    created = add_line(
        session,
        tenant_id=principal.tenant_id,
        number=body.number,
        provider=body.provider,
        phone_number_id=body.phone_number_id,
        instance=body.instance,
        team=body.team,
        employee_email=body.employee_email,
        employee_name=body.employee_name,
        timezone=body.timezone,
        data_key=runtime.data_key(_tenant(session, principal)),
    )
    line = created.line
    _audit(session, principal, request, "line_created", line.id, {"number": line.number, "provider": line.provider})
    return CreatedLineOut(
        id=line.id, number=line.number, provider=line.provider, status=line.status, token=created.token
    )


@router.post("/lines/{line_id}/connect/cloud", response_model=ConnectionOut, summary="Cloud API credentials")
def connect_cloud_line(
    line_id: int, body: CloudIn, request: Request, session: SessionDep, runtime: RuntimeDep, principal: ApiUser
) -> ConnectionOut:
    _admin(principal)
    line = visible_line(session, tenant_id=principal.tenant_id, line_id=line_id, team_ids=None)
    connect_cloud(
        session,
        line=line,
        phone_number_id=body.phone_number_id,
        access_token=body.access_token,
        app_secret=body.app_secret,
        verify_token=body.verify_token,
        data_key=runtime.data_key(_tenant(session, principal)),
        now=datetime.now(UTC),
    )
    _audit(session, principal, request, "line_connected", line.id, {"provider": "cloud"})
    return _connection(session, runtime, line)


def _connection(session: Session, runtime: Runtime, line: Line, check: CheckOutcome | None = None) -> ConnectionOut:
    view = connection_view(session, line, public_url=runtime.settings.public_url)
    if view is None:
        raise NotFound("a linha não tem conexão configurada")
    return ConnectionOut(
        kind=view.kind,
        base_url=view.base_url,
        instance=view.instance,
        hints=view.hints,
        webhook_url=view.webhook_url,
        ok=check.ok if check else None,
        message=check.message if check else None,
    )


def _save_gateway(runtime: Runtime, user: ReleasedUser, line_id: int, body: GatewayIn) -> None:
    principal = user.principal
    with transaction(runtime.sessions) as session:
        line = visible_line(session, tenant_id=principal.tenant_id, line_id=line_id, team_ids=None)
        connect_gateway(
            session,
            line=line,
            base_url=body.base_url,
            api_key=body.api_key,
            instance=body.instance,
            allowed_origins=runtime.settings.gateway_api_origins,
            data_key=runtime.data_key(_tenant(session, principal)),
            now=datetime.now(UTC),
        )
        audit.record(
            session,
            tenant_id=principal.tenant_id,
            actor=principal.email,
            user_id=principal.user_id,
            action="line_connected",
            object_type="line",
            object_id=line.id,
            ip=user.ip,
            detail={"provider": line.provider, "instance": line.instance},
        )


def _view(runtime: Runtime, user: ReleasedUser, line_id: int, check: CheckOutcome | None) -> ConnectionOut:
    with runtime.sessions() as session:
        line = visible_line(session, tenant_id=user.principal.tenant_id, line_id=line_id, team_ids=None)
        return _connection(session, runtime, line, check)


def _actor(user: ReleasedUser) -> Actor:
    p = user.principal
    return Actor(tenant_id=p.tenant_id, email=p.email, user_id=p.user_id, ip=user.ip)


# The next two call a provider: they run outside a request-wide transaction (web/released.py).
@router.post(
    "/lines/{line_id}/connect/gateway",
    response_model=ConnectionOut,
    summary="Evolution API / WAHA address and key; creates the instance",
)
async def connect_gateway_line(
    line_id: int, body: GatewayIn, request: Request, user: Annotated[ReleasedUser, Depends(released_api_admin)]
) -> ConnectionOut:
    runtime: Runtime = request.app.state.runtime

    def work() -> ConnectionOut:
        _save_gateway(runtime, user, line_id, body)
        check = create_instance(runtime, actor=_actor(user), line_id=line_id) if body.create_instance else None
        return _view(runtime, user, line_id, check)

    return await run_in_threadpool(work)


@router.post("/lines/{line_id}/test", response_model=CheckOut, summary="Test the line's credentials")
async def test_line(
    line_id: int, request: Request, user: Annotated[ReleasedUser, Depends(released_api_admin)]
) -> CheckOut:
    runtime: Runtime = request.app.state.runtime
    outcome = await run_in_threadpool(lambda: check_connection(runtime, actor=_actor(user), line_id=line_id))
    return CheckOut(ok=outcome.ok, message=outcome.message)


@router.post("/lines/{line_id}/reassign", response_model=LineStateOut, summary="Hand the line to another employee")
def reassign(line_id: int, body: ReassignIn, request: Request, session: SessionDep, principal: ApiUser) -> LineStateOut:
    _admin(principal)
    line = visible_line(session, tenant_id=principal.tenant_id, line_id=line_id, team_ids=None)
    _, previous = reassign_line(
        session,
        tenant_id=principal.tenant_id,
        number=line.number,
        employee_email=body.employee_email,
        employee_name=body.employee_name,
        team=body.team,
        now=datetime.now(UTC),
    )
    employee = body.employee_email.strip().lower()
    _audit(session, principal, request, "line_reassigned", line.id, {"from": previous, "to": employee})
    return LineStateOut(id=line.id, number=line.number, status=line.status, employee=employee)


@router.post("/lines/{line_id}/retire", response_model=LineStateOut, summary="Retire the line, keeping its archive")
def retire(line_id: int, body: RetireIn, request: Request, session: SessionDep, principal: ApiUser) -> LineStateOut:
    _admin(principal)
    line = visible_line(session, tenant_id=principal.tenant_id, line_id=line_id, team_ids=None)
    if not body.reason.strip():
        raise InvalidInput("diga o motivo")
    retire_line(session, tenant_id=principal.tenant_id, number=line.number, now=datetime.now(UTC))
    _audit(session, principal, request, "line_retired", line.id, {"reason": body.reason.strip()[:500]})
    return LineStateOut(id=line.id, number=line.number, status=line.status)
