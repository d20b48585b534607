"""`GET /api/v1/analytics`: `atalaia report`'s figures for a scope and period, as the token's user may see.

A manager's report covers only the lines of their teams, whatever scope they ask for; the
tenant-wide roles see every line. Totals are not archived content, so this read is not audited
message by message; the request itself is (like a search).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from atalaia.analytics import ReportOptions, build_report, parse_period, resolve_scope
from atalaia.db.models import Line, Tenant
from atalaia.services import audit
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, SessionDep, client_ip

ERRORS = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 404: {"model": ErrorOut}}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)  # type: ignore[arg-type]


@router.get("/analytics", summary="Analytics for a tenant, team, line or employee and a period (atalaia report)")
def analytics(
    *,
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    date_from: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    team: Annotated[str | None, Query(max_length=120)] = None,
    line: Annotated[str | None, Query(max_length=40)] = None,
    employee: Annotated[str | None, Query(max_length=320)] = None,
    business_hours: bool = False,
    unanswered_hours: Annotated[float, Query(gt=0, le=24 * 365)] = 24.0,
) -> dict[str, Any]:
    scope = resolve_scope(session, tenant_id=principal.tenant_id, team=team, line=line, employee=employee)
    if not principal.sees_whole_tenant:
        mine = frozenset(
            session.execute(
                select(Line.id).where(Line.tenant_id == principal.tenant_id, Line.team_id.in_(principal.team_ids))
            ).scalars()
        )
        spans = tuple(s for s in scope.spans if s.line_id in mine) if scope.spans is not None else None
        scope = replace(scope, line_ids=mine if scope.line_ids is None else scope.line_ids & mine, spans=spans)
    tenant = session.get(Tenant, principal.tenant_id)
    zone = scope.line_timezone or (tenant.timezone if tenant else "America/Sao_Paulo")
    period = parse_period(date_from, date_to, timezone=zone, now=datetime.now(UTC))
    options = ReportOptions(business_hours=business_hours, unanswered_hours=unanswered_hours)
    report = build_report(session, scope=scope, period=period, options=options)
    audit.record(session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
                 action="analytics_read", object_type="report", object_id=None, ip=client_ip(request),
                 detail={"scope": report["scope"], "period": report["period"]})  # fmt: skip
    return report
