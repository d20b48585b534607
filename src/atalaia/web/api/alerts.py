"""`/api/v1/alerts`: the alert queue, one case, its actions and precision per rule, as the console has them.

Scoping, roles, pseudonyms and audit are the services' (`services.compliance`). An alert out of
scope answers 404 like a missing one, returned rather than raised so the denied attempt's audit
entry commits; other refusals (403 for auditors, 409, 422) roll the request back, having written
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import CaseEvidence, Tenant
from atalaia.errors import NotFound
from atalaia.runtime import Runtime
from atalaia.services.access import Principal
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.case_evidence import add_evidence, list_evidence, read_evidence, withdraw_evidence
from atalaia.services.compliance.cases import assign, comment, escalate, reopen, resolve, start_review
from atalaia.services.compliance.employee_notice import Outbox, send_employee_notice
from atalaia.services.compliance.evidence import hit_context
from atalaia.services.compliance.precision import rule_precision
from atalaia.services.compliance.privacy import reveal
from atalaia.services.compliance.views import alert_counts, alert_detail, list_alerts
from atalaia.web.alert_support import pseudonyms_for
from atalaia.web.api.alert_schemas import (
    AlertCountsOut,
    AlertDetailOut,
    AlertListOut,
    AlertOut,
    AssignIn,
    CommentIn,
    EmployeeNoticeOut,
    EvidenceFileOut,
    EvidenceListOut,
    EvidenceOut,
    PrecisionOut,
    ReasonIn,
    ResolveIn,
    RevealedOut,
    RulePrecisionOut,
)
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.case_files import Upload, bounded_upload, evidence_blobs, evidence_response, uploaded_file
from atalaia.web.deps import ApiUser, RuntimeDep, SessionDep, client_ip

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}}}}},
    }
}  # fmt: skip
router = APIRouter(prefix="/api/v1", tags=["alerts"], responses=ERRORS)  # type: ignore[arg-type]


@router.get("/alerts", response_model=AlertListOut, summary="Alerts in scope, most recent hit first")
def alerts(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ApiUser,
    status: Annotated[str | None, Query(max_length=20, description="open | in_review | resolved")] = None,
    severity: Annotated[str | None, Query(max_length=20, description="low | medium | high | critical")] = None,
    category: Annotated[str | None, Query(max_length=20, description="risk | opportunity")] = None,
    policy: Annotated[str | None, Query(max_length=100, description="A policy id")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AlertListOut:
    actor = Actor.from_principal(principal)
    total, rows = list_alerts(
        session,
        tenant_id=principal.tenant_id,
        actor=actor,
        pseudonyms=pseudonyms_for(session, runtime, principal.tenant_id),
        status=status,
        severity=severity,
        category=category,
        policy=policy,
        limit=limit,
        offset=offset,
    )
    counts = alert_counts(session, tenant_id=principal.tenant_id, actor=actor)
    return AlertListOut(
        total=total,
        limit=limit,
        offset=offset,
        alerts=[AlertOut(**row.as_json()) for row in rows],
        counts=AlertCountsOut(
            by_status=counts.by_status, open_by_severity=counts.open_by_severity, escalated=counts.escalated
        ),
    )


@router.get("/alerts/precision", response_model=PrecisionOut, summary="Precision per rule, from resolved alerts")
def precision(session: SessionDep, principal: ApiUser) -> PrecisionOut:
    rows = rule_precision(session, tenant_id=principal.tenant_id, actor=Actor.from_principal(principal))
    return PrecisionOut(rules=[RulePrecisionOut(**r.as_json()) for r in rows])


@router.get("/alerts/{alert_id}", response_model=AlertDetailOut, summary="One alert: hits, history, context")
def alert(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ApiUser,
    alert_id: int,
    *,
    context: Annotated[bool, Query(description="Include the hits in their conversation (an audited read)")] = False,
) -> AlertDetailOut | JSONResponse:
    try:
        return _detail(session, runtime, principal, alert_id, context=context, ip=client_ip(request))
    except NotFound as exc:
        return _not_found(exc)


@router.post("/alerts/{alert_id}/review", response_model=AlertDetailOut, summary="Start reviewing (open → in review)")
def review_alert(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int
) -> AlertDetailOut | JSONResponse:
    def run(actor: Actor) -> object:
        return start_review(session, tenant_id=principal.tenant_id, alert_id=alert_id, actor=actor)

    return _act(session, runtime, principal, alert_id, run)


@router.post("/alerts/{alert_id}/assign", response_model=AlertDetailOut, summary="Give the case to someone")
def assign_alert(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int, body: AssignIn
) -> AlertDetailOut | JSONResponse:
    def run(actor: Actor) -> object:
        return assign(
            session, tenant_id=principal.tenant_id, alert_id=alert_id, actor=actor, assignee_user_id=body.user_id
        )

    return _act(session, runtime, principal, alert_id, run)


@router.post("/alerts/{alert_id}/comment", response_model=AlertDetailOut, summary="Add a comment to the history")
def comment_alert(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int, body: CommentIn
) -> AlertDetailOut | JSONResponse:
    def run(actor: Actor) -> object:
        return comment(session, tenant_id=principal.tenant_id, alert_id=alert_id, actor=actor, text=body.text)

    return _act(session, runtime, principal, alert_id, run)


@router.post(
    "/alerts/{alert_id}/resolve", response_model=AlertDetailOut, summary="Resolve: confirmed or false positive"
)
def resolve_alert(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int, body: ResolveIn
) -> AlertDetailOut | JSONResponse:
    def run(actor: Actor) -> object:
        return resolve(
            session,
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            actor=actor,
            resolution=body.resolution,
            reason=body.reason,
        )

    return _act(session, runtime, principal, alert_id, run)


@router.post("/alerts/{alert_id}/reopen", response_model=AlertDetailOut, summary="Reopen, with a reason")
def reopen_alert(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int, body: ReasonIn
) -> AlertDetailOut | JSONResponse:
    def run(actor: Actor) -> object:
        return reopen(session, tenant_id=principal.tenant_id, alert_id=alert_id, actor=actor, reason=body.reason)

    return _act(session, runtime, principal, alert_id, run)


@router.post("/alerts/{alert_id}/escalate", response_model=AlertDetailOut, summary="Escalate to compliance")
def escalate_alert(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int, body: ReasonIn
) -> AlertDetailOut | JSONResponse:
    def run(actor: Actor) -> object:
        return escalate(session, tenant_id=principal.tenant_id, alert_id=alert_id, actor=actor, reason=body.reason)

    return _act(session, runtime, principal, alert_id, run)


@router.post("/alerts/{alert_id}/reveal", response_model=RevealedOut, summary="The employee's name (compliance only)")
def reveal_employee(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int, body: ReasonIn
) -> RevealedOut | JSONResponse:
    """Each call is its own case event and audit entry, with the reason; the name is not kept anywhere else."""
    try:
        revealed = reveal(
            session,
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            actor=Actor.from_principal(principal),
            reason=body.reason,
            pseudonyms=pseudonyms_for(session, runtime, principal.tenant_id),
        )
    except NotFound as exc:
        return _not_found(exc)
    return RevealedOut(
        alert_id=revealed.alert_id,
        pseudonym=revealed.pseudonym,
        employee_id=revealed.employee_id,
        name=revealed.name,
        email=revealed.email,
        team=revealed.team,
    )


@router.post(
    "/alerts/{alert_id}/evidence",
    response_model=EvidenceFileOut,
    status_code=201,
    summary="Attach an evidence file (multipart field `file`; 413 beyond ATALAIA_MAX_EVIDENCE_BYTES)",
    dependencies=[Depends(bounded_upload)],
    openapi_extra=UPLOAD_BODY,
    responses={411: {"model": ErrorOut}, 413: {"model": ErrorOut}},
)
def attach_evidence(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: ApiUser,
    alert_id: int,
    upload: Annotated[Upload, Depends(uploaded_file)],
) -> EvidenceFileOut | JSONResponse:
    """Compliance, or a manager on an alert of their team; the case must not be resolved."""
    try:
        row = add_evidence(
            session,
            blobs=evidence_blobs(runtime),
            data_key=_data_key(session, runtime, principal.tenant_id),
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            actor=Actor.from_principal(principal),
            file_name=upload.file_name,
            content=upload.content,
            max_bytes=runtime.settings.max_evidence_bytes,
            allow_executables=runtime.settings.evidence_allow_executables,
        )
    except NotFound as exc:
        return _not_found(exc)
    return _evidence_out(row)


@router.get("/alerts/{alert_id}/evidence", response_model=EvidenceListOut, summary="The case's evidence files")
def evidence_files(session: SessionDep, principal: ApiUser, alert_id: int) -> EvidenceListOut | JSONResponse:
    try:
        rows = list_evidence(
            session, tenant_id=principal.tenant_id, alert_id=alert_id, actor=Actor.from_principal(principal)
        )
    except NotFound as exc:
        return _not_found(exc)
    return EvidenceListOut(files=[_evidence_out(row) for row in rows])


@router.get(
    "/alerts/{alert_id}/evidence/{evidence_id}",
    summary="Download one evidence file (an audited read; always an attachment)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def evidence_download(
    request: Request, session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int, evidence_id: int
) -> Response:
    try:
        found = read_evidence(
            session,
            blobs=evidence_blobs(runtime),
            data_key=_data_key(session, runtime, principal.tenant_id),
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            evidence_id=evidence_id,
            actor=Actor.from_principal(principal),
            ip=client_ip(request),
        )
    except NotFound as exc:
        return _not_found(exc)
    return evidence_response(found)


@router.post(
    "/alerts/{alert_id}/evidence/{evidence_id}/withdraw",
    response_model=EvidenceFileOut,
    summary="Mark an evidence file withdrawn, with a reason (it is never deleted)",
)
def evidence_withdraw(
    session: SessionDep, principal: ApiUser, alert_id: int, evidence_id: int, body: ReasonIn
) -> EvidenceFileOut | JSONResponse:
    try:
        row = withdraw_evidence(session, tenant_id=principal.tenant_id, alert_id=alert_id, evidence_id=evidence_id,
                                actor=Actor.from_principal(principal), reason=body.reason)  # fmt: skip
    except NotFound as exc:
        return _not_found(exc)
    return _evidence_out(row)


@router.post(
    "/alerts/{alert_id}/employee-notice",
    response_model=EmployeeNoticeOut,
    summary="E-mail the tenant's notice to the alert's employee (compliance, after revealing them)",
    responses={502: {"model": EmployeeNoticeOut, "description": "Not delivered; recorded as failed"}},
)
def employee_notice(
    session: SessionDep, runtime: RuntimeDep, principal: ApiUser, alert_id: int
) -> EmployeeNoticeOut | JSONResponse:
    try:
        outcome = send_employee_notice(session, tenant_id=principal.tenant_id, alert_id=alert_id,
                                       actor=Actor.from_principal(principal),
                                       outbox=Outbox.from_settings(runtime.settings))  # fmt: skip
    except NotFound as exc:
        return _not_found(exc)
    out = EmployeeNoticeOut(alert_id=outcome.alert_id, status=outcome.status,
                            template_version=outcome.template_version, error=outcome.error)  # fmt: skip
    if outcome.status != "sent":
        return JSONResponse(out.model_dump(), status_code=502)  # returned: the failure's history entry commits
    return out


def _data_key(session: Session, runtime: Runtime, tenant_id: int) -> bytes:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("organização não encontrada")
    return runtime.data_key(tenant)


def _evidence_out(row: CaseEvidence) -> EvidenceFileOut:
    return EvidenceFileOut(
        id=row.id, alert_id=row.alert_id, file_name=row.file_name, real_type=row.real_type,
        declared_type=row.declared_type, type_mismatch=row.type_mismatch, size=row.size, sha256=row.sha256,
        uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at, withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by, withdrawn_reason=row.withdrawn_reason,
    )  # fmt: skip


def _act(
    session: Session, runtime: Runtime, principal: Principal, alert_id: int, run: Callable[[Actor], object]
) -> AlertDetailOut | JSONResponse:
    """One case action, answered with the alert as it now is."""
    try:
        run(Actor.from_principal(principal))
        return _detail(session, runtime, principal, alert_id)
    except NotFound as exc:
        return _not_found(exc)


def _detail(
    session: Session,
    runtime: Runtime,
    principal: Principal,
    alert_id: int,
    *,
    context: bool = False,
    ip: str | None = None,
) -> AlertDetailOut:
    actor = Actor.from_principal(principal)
    pseudonyms = pseudonyms_for(session, runtime, principal.tenant_id)
    detail = alert_detail(session, tenant_id=principal.tenant_id, alert_id=alert_id, actor=actor, pseudonyms=pseudonyms)
    evidence = None
    if context:
        found = hit_context(
            session,
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            actor=actor,
            employee_label=detail.alert.employee,
            ip=ip,
        )
        evidence = EvidenceOut(**found.as_json())
    return AlertDetailOut(**detail.as_json(), context=evidence)


def _not_found(exc: NotFound) -> JSONResponse:
    # Returned rather than raised so the audit of the denied attempt is committed.
    return JSONResponse({"ok": False, "error": exc.message, "status": 404}, status_code=404)
