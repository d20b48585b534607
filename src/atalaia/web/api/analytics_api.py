"""`GET /api/v1/analytics`: `atalaia report`'s figures for a scope and period, as the token's user may see.

A manager's report covers only the lines of their teams, whatever scope they ask for; the
tenant-wide roles see every line. Totals are not archived content, so this read is not audited
message by message; the request itself is (like a search).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from atalaia.analytics import ReportOptions, build_report
from atalaia.services import audit
from atalaia.services.analytics_access import principal_scope, scope_period
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
    scope = principal_scope(session, principal, team=team, line=line, employee=employee)
    period = scope_period(session, scope, date_from=date_from, date_to=date_to)
    options = ReportOptions(business_hours=business_hours, unanswered_hours=unanswered_hours)
    report = build_report(session, scope=scope, period=period, options=options)
    audit.record(session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
                 action="analytics_read", object_type="report", object_id=None, ip=client_ip(request),
                 detail={"scope": report["scope"], "period": report["period"]})  # fmt: skip
    return report
