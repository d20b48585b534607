"""`/exports`: my export jobs (everyone's for administrators and auditors), a form to ask for one, downloads.

An export is asked for here or from the "Exportar" forms on a case and on a conversation; the
worker runs it (services/export_jobs). The page refreshes itself while a job is queued or
running (a meta refresh: no script, the CSP stays strict). Refusals that leave evidence (a
selection out of scope: a denied entry) are answered, not raised, so the entry commits.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession
from atalaia.errors import AtalaiaError
from atalaia.exports import ExportFormat
from atalaia.services.access import Principal
from atalaia.services.export_jobs import create_export_job, list_jobs, open_download, percent
from atalaia.services.export_jobs.selection import KINDS, MAX_ID, MAX_QUERY_CHARS
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.downloads import stream_download
from atalaia.web.errors import render_error
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

REFRESH_SECONDS: Final = 5
KIND_LABELS: Final = {"conversation": "Conversa", "line": "Linha", "case": "Caso (alerta)", "query": "Busca"}
STATUS_LABELS: Final = {
    "queued": "na fila", "running": "em andamento", "done": "pronta", "failed": "falhou", "expired": "expirada",
}  # fmt: skip
FORMAT_LABELS: Final = {
    "rsmf": "RSMF (Relativity)",
    "jsonl": "JSON Lines",
    "csv": "CSV",
    "pdf": "PDF (transcrição)",
    "zip": "ZIP do titular",
}
JobId = Annotated[int, Path(ge=1, le=MAX_ID)]
FormText = Annotated[str, Form(max_length=MAX_QUERY_CHARS * 2)]  # bounds the request; the service says why


def _page(request: Request, session: Session, principal: Principal, login: LoginSession, *,
          error: str | None = None, done: str | None = None, values: dict[str, Any] | None = None,
          status: int = 200) -> Response:  # fmt: skip
    jobs = list_jobs(session, principal=principal)
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "jobs": [(job, percent(job)) for job in jobs],
        "refresh": REFRESH_SECONDS if any(job.status in ("queued", "running") for job in jobs) else None,
        "kinds": {k: KIND_LABELS[k] for k in KINDS if k != "query" or principal.sees_whole_tenant},
        "formats": {f.value: FORMAT_LABELS[f.value] for f in ExportFormat},
        "status_labels": STATUS_LABELS,
        "format_labels": FORMAT_LABELS,
        "kind_labels": KIND_LABELS,
        "max_query": MAX_QUERY_CHARS,
        "error": error,
        "done": done,
        "values": values or {},
    }
    return templates.TemplateResponse(request, "pages/exports.html", context, status_code=status)


@router.get("/exports", response_class=HTMLResponse)
def exports_page(request: Request, session: SessionDep, user: CurrentUser, feito: str = "") -> Response:
    principal, login = user
    done = f"Exportação nº {feito} na fila; esta página se atualiza sozinha." if feito.isdigit() else None
    return _page(request, session, principal, login, done=done)


@router.post("/exports")
def ask_for_export(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    selection_kind: Annotated[str, Form(max_length=20)] = "",
    selection_value: FormText = "",
    export_format: Annotated[str, Form(alias="format", max_length=10)] = "",
) -> Response:
    principal, login = user
    values = {"selection_kind": selection_kind, "selection_value": selection_value, "format": export_format}
    kind = selection_kind if selection_kind in KINDS else "?"
    try:
        job = create_export_job(session, principal=principal, selection={kind: selection_value}, fmt=export_format,
                                ip=client_ip(request))  # fmt: skip
    except AtalaiaError as exc:
        # Answered, not raised: a denied selection's audit entry must commit.
        return _page(request, session, principal, login, error=exc.message, values=values, status=exc.status)
    return RedirectResponse(f"/exports?feito={job.id}", status_code=303)


@router.get("/exports/{job_id}/download")
def download(request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, job_id: JobId) -> Response:
    principal, _ = user
    try:
        found = open_download(session, principal=principal, job_id=job_id, home=runtime.settings.home,
                              ip=client_ip(request))  # fmt: skip
    except AtalaiaError as exc:
        return render_error(request, exc.status, exc.message)
    return stream_download(found)
