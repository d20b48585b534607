"""`/api/v1/holds` and `/api/v1/subject-requests`: legal holds and the LGPD request register.

Compliance officers and administrators place and release holds; auditors read. Everything is
`services.governance`'s, audited there (reads of the lists here: they name people).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from atalaia.db.models import Tenant
from atalaia.domain.enums import Role
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.export_jobs.selection import MAX_ID
from atalaia.services.governance import (
    HoldTarget,
    add_hold,
    hold_as_dict,
    list_holds,
    list_requests,
    release_hold,
    request_as_dict,
)
from atalaia.services.governance.inputs import parse_day
from atalaia.web.api.export_schemas import (
    HoldIn,
    HoldListOut,
    HoldOut,
    ReleaseIn,
    SubjectRequestListOut,
    SubjectRequestOut,
)
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.console.gate import require_roles
from atalaia.web.deps import ApiUser, SessionDep, client_ip

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
router = APIRouter(prefix="/api/v1", tags=["governance"], responses=ERRORS)  # type: ignore[arg-type]
VIEW = (Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR)
ACT = (Role.ADMIN, Role.COMPLIANCE)


def _audit_read(session: SessionDep, principal: Principal, action: str, count: int, ip: str | None) -> None:
    audit.record(
        session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id, action=action,
        detail={"role": principal.role.value, "returned": count}, ip=ip,
    )  # fmt: skip


@router.get("/holds", response_model=HoldListOut, summary="Legal holds, released ones included unless active=true")
def holds(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    *,
    active: Annotated[bool, Query(description="Only holds in force now")] = False,
) -> HoldListOut:
    require_roles(principal, *VIEW)
    now = datetime.now(UTC)
    rows = [hold_as_dict(hold, now=now) for hold in list_holds(session, tenant_id=principal.tenant_id)]
    rows = [row for row in rows if row["active"]] if active else rows
    _audit_read(session, principal, "read_holds", len(rows), client_ip(request))
    return HoldListOut(holds=[HoldOut(**row) for row in rows])


@router.post("/holds", response_model=HoldOut, status_code=201, summary="Place a legal hold (audited)")
def place(session: SessionDep, principal: ApiUser, body: HoldIn) -> HoldOut:
    require_roles(principal, *ACT)
    tenant = session.get_one(Tenant, principal.tenant_id)
    target = HoldTarget(phone=body.phone, line=body.line, conversation=body.conversation, employee=body.employee,
                        query=body.query)  # fmt: skip
    hold = add_hold(
        session, tenant=tenant, target=target, reason=body.reason, owner=principal.email,
        starts_at=parse_day(body.starts, timezone=tenant.timezone, end=False, label="starts"),
        ends_at=parse_day(body.until, timezone=tenant.timezone, end=True, label="until"),
    )  # fmt: skip
    return HoldOut(**hold_as_dict(hold))


@router.post("/holds/{hold_id}/release", response_model=HoldOut, summary="Release a legal hold (audited)")
def release(
    session: SessionDep, principal: ApiUser, hold_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: ReleaseIn
) -> HoldOut:
    require_roles(principal, *ACT)
    hold = release_hold(session, tenant_id=principal.tenant_id, hold_id=hold_id, reason=body.reason,
                        actor=principal.email)  # fmt: skip
    return HoldOut(**hold_as_dict(hold))


@router.get("/subject-requests", response_model=SubjectRequestListOut, summary="The LGPD request register")
def subject_requests(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    status: Annotated[str | None, Query(max_length=20, description="open | partial | done | refused")] = None,
) -> SubjectRequestListOut:
    require_roles(principal, *VIEW)
    now = datetime.now(UTC)
    rows = [request_as_dict(r, now=now) for r in list_requests(session, tenant_id=principal.tenant_id, status=status)]
    _audit_read(session, principal, "read_subject_requests", len(rows), client_ip(request))
    return SubjectRequestListOut(requests=[SubjectRequestOut(**row) for row in rows])
