"""Console routes for a case's evidence files and the notice to its employee (forms on the alert page).

The router checks the upload's size, then CSRF, before any route body runs and before the
multipart body is parsed (see web/case_files.py). Refusals re-render the case with the reason
(so what the services audited commits); successes redirect, so a reload repeats nothing.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from atalaia.db.models import Tenant
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.case_evidence import TooLarge, add_evidence, read_evidence, withdraw_evidence
from atalaia.services.compliance.cases import MAX_TEXT_CHARS
from atalaia.services.compliance.employee_notice import Outbox, send_employee_notice
from atalaia.web.case_files import Upload, bounded_upload, evidence_blobs, evidence_response, uploaded_file
from atalaia.web.console.alerts import _failed
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.errors import render_error

# Size first (before the body is read), then CSRF, on every unsafe method of this router.
router = APIRouter(include_in_schema=False, dependencies=[Depends(bounded_upload), Depends(require_csrf)])

REFUSED: Final = (InvalidInput, Conflict, TooLarge)


@router.post("/alerts/{alert_id}/evidence")
def upload_evidence(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    alert_id: int,
    upload: Annotated[Upload, Depends(uploaded_file)],
) -> Response:
    principal = user[0]
    tenant = _tenant(session, principal.tenant_id)
    try:
        add_evidence(
            session,
            blobs=evidence_blobs(runtime),
            data_key=runtime.data_key(tenant),
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            actor=Actor.from_principal(principal),
            file_name=upload.file_name,
            content=upload.content,
            max_bytes=runtime.settings.max_evidence_bytes,
            allow_executables=runtime.settings.evidence_allow_executables,
        )
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)  # answered: the denied attempt's entry commits
    except REFUSED as exc:
        return _failed(request, session, runtime, user, alert_id, exc, action="evidence", values={})
    return RedirectResponse(f"/alerts/{alert_id}?feito=evidence#evidencias", status_code=303)


@router.get("/alerts/{alert_id}/evidence/{evidence_id}")
def download_evidence(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int, evidence_id: int
) -> Response:
    principal = user[0]
    tenant = _tenant(session, principal.tenant_id)
    try:
        found = read_evidence(
            session,
            blobs=evidence_blobs(runtime),
            data_key=runtime.data_key(tenant),
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            evidence_id=evidence_id,
            actor=Actor.from_principal(principal),
            ip=client_ip(request),
        )
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)
    return evidence_response(found)


@router.post("/alerts/{alert_id}/evidence/{evidence_id}/withdraw")
def withdraw(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    alert_id: int,
    evidence_id: int,
    reason: Annotated[str, Form(max_length=5 * MAX_TEXT_CHARS)] = "",
) -> Response:
    principal = user[0]
    try:
        withdraw_evidence(session, tenant_id=principal.tenant_id, alert_id=alert_id, evidence_id=evidence_id,
                          actor=Actor.from_principal(principal), reason=reason)  # fmt: skip
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)
    except REFUSED as exc:
        values = {"reason": reason, "evidence_id": str(evidence_id)}
        return _failed(request, session, runtime, user, alert_id, exc, action="withdraw", values=values)
    return RedirectResponse(f"/alerts/{alert_id}?feito=withdraw#evidencias", status_code=303)


@router.post("/alerts/{alert_id}/employee-notice")
def employee_notice(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int
) -> Response:
    """Sent or failed, the outcome is in the case history; the page says which."""
    principal = user[0]
    try:
        outcome = send_employee_notice(session, tenant_id=principal.tenant_id, alert_id=alert_id,
                                       actor=Actor.from_principal(principal),
                                       outbox=Outbox.from_settings(runtime.settings))  # fmt: skip
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)
    except REFUSED as exc:
        return _failed(request, session, runtime, user, alert_id, exc, action="notice", values={})
    if outcome.status != "sent":
        failed = Conflict(f"o aviso não foi entregue ({outcome.error}); a falha ficou registrada no histórico")
        return _failed(request, session, runtime, user, alert_id, failed, action="notice", values={})
    return RedirectResponse(f"/alerts/{alert_id}?feito=notice#historico", status_code=303)


def _tenant(session: SessionDep, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("organização não encontrada")
    return tenant
