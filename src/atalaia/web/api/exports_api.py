"""`/api/v1/exports`: ask for an export (202 and the job's id), follow it, download it.

The same services as the console's /exports (services/export_jobs): scope, roles and audit are
theirs. A selection out of scope answers 404 like a missing one, returned rather than raised so
the denied attempt's audit entry commits.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response

from atalaia.errors import AtalaiaError, InvalidInput, NotFound
from atalaia.services.export_jobs import (
    SUBJECT_ACCESS,
    create_export_job,
    get_job,
    job_as_dict,
    list_jobs,
    open_access_request,
    open_download,
)
from atalaia.services.export_jobs.selection import MAX_ID
from atalaia.web.api.export_schemas import ExportIn, ExportListOut, ExportOut
from atalaia.web.api.schemas import ErrorOut
from atalaia.web.deps import ApiUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.downloads import stream_download

ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 410, 422)}
router = APIRouter(prefix="/api/v1", tags=["exports"], responses=ERRORS)  # type: ignore[arg-type]
JobId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _error(exc: AtalaiaError) -> JSONResponse:
    return JSONResponse({"ok": False, "error": exc.message, "status": exc.status}, status_code=exc.status)


@router.post("/exports", response_model=ExportOut, status_code=202, summary="Queue an export; 202 with its job")
def create(request: Request, session: SessionDep, principal: ApiUser, body: ExportIn) -> ExportOut | JSONResponse:
    chosen = body.selection.model_dump(exclude_none=True)
    try:
        if body.kind == SUBJECT_ACCESS:
            if set(chosen) != {"phone"}:
                raise InvalidInput("um pedido de acesso do titular precisa de selection.phone, e só dele")
            job = open_access_request(session, principal=principal, phone=chosen["phone"], reason=body.reason or "",
                                      ip=client_ip(request))  # fmt: skip
        else:
            if "phone" in chosen:
                raise InvalidInput("selection.phone é só para kind=subject_access")
            job = create_export_job(session, principal=principal, selection=chosen, fmt=body.format,
                                    ip=client_ip(request))  # fmt: skip
    except NotFound as exc:
        return _error(exc)  # returned, not raised: the denied attempt's audit entry commits
    return ExportOut(**job_as_dict(job))


@router.get("/exports", response_model=ExportListOut, summary="My exports (the tenant's for admins and auditors)")
def exports(session: SessionDep, principal: ApiUser) -> ExportListOut:
    return ExportListOut(exports=[ExportOut(**job_as_dict(job)) for job in list_jobs(session, principal=principal)])


@router.get("/exports/{job_id}", response_model=ExportOut, summary="One export job: status, progress, hashes")
def export(request: Request, session: SessionDep, principal: ApiUser, job_id: JobId) -> ExportOut | JSONResponse:
    try:
        job = get_job(session, principal=principal, job_id=job_id, ip=client_ip(request))
    except NotFound as exc:
        return _error(exc)
    return ExportOut(**job_as_dict(job))


@router.get(
    "/exports/{job_id}/download",
    summary="The export's ZIP (audited); X-Atalaia-SHA256 carries its hash",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def download(request: Request, session: SessionDep, runtime: RuntimeDep, principal: ApiUser, job_id: JobId) -> Response:
    try:
        found = open_download(session, principal=principal, job_id=job_id, home=runtime.settings.home,
                              ip=client_ip(request))  # fmt: skip
    except AtalaiaError as exc:
        return _error(exc)
    return stream_download(found)
