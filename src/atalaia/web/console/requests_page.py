"""`/governance/requests`: the LGPD request register, and serving access and erasure requests.

Both requests are two steps: the form shows what was found (how many contact records and
messages, how many under a legal hold; audited as `subject_lookup`) and asks for confirmation;
only the confirmation acts.
- Access: the request enters the register and a `subject_access` export job is queued; the ZIP
  is downloaded here (or in /exports) when the worker is done, and the request is closed.
- Erasure: `services.governance.erase_subject` runs at once and the page shows what was erased,
  what a hold kept and why. That service commits its own transaction (and deletes blobs after
  it), so the confirming route cannot sit inside the request's transaction: on SQLite that one
  holds the write lock, on PostgreSQL the audit chain's row lock. It is on a router of its own
  whose dependency checks the session and the CSRF token in a short transaction that ends
  before the erasure starts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.engine import transaction
from atalaia.db.models import ExportJob, Tenant
from atalaia.errors import AtalaiaError
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.export_jobs import open_access_request, percent
from atalaia.services.export_jobs.views import SEE_ALL
from atalaia.services.governance import erase_subject, list_requests, request_as_dict
from atalaia.services.governance.inputs import MAX_REASON, require_reason
from atalaia.services.subject_preview import preview_subject
from atalaia.web.console.governance_gate import can_act, require_act, require_view
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.released import ReleasedUser, released_console_user
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
erase_router = APIRouter(include_in_schema=False)  # CSRF checked by `released_console_user`

DONE: Final = {"access": "Pedido de acesso registrado; a exportação está na fila e aparece abaixo quando pronta."}
KIND_LABELS: Final = {"access": "Acesso", "erasure": "Apagamento"}
STATUS_LABELS: Final = {"open": "aberto", "partial": "parcial", "done": "atendido", "refused": "recusado"}
Phone = Annotated[str, Form(max_length=64)]
Reason = Annotated[str, Form(max_length=MAX_REASON * 2)]  # bounds the request; the service says why


def _register(session: Session, principal: Principal, ip: str | None) -> list[dict[str, Any]]:
    """The register, newest first, each access request with its export job; the read is audited."""
    now = datetime.now(UTC)
    rows = [request_as_dict(r, now=now) for r in reversed(list_requests(session, tenant_id=principal.tenant_id))]
    ids = [row["id"] for row in rows if row["kind"] == "access"]
    jobs: dict[int, ExportJob] = {}
    if ids:
        for job in session.execute(
            select(ExportJob)
            .where(ExportJob.tenant_id == principal.tenant_id, ExportJob.subject_request_id.in_(ids))
            .order_by(ExportJob.id)
        ).scalars():
            jobs[job.subject_request_id or 0] = job  # the latest job of each request
    for row in rows:
        latest = jobs.get(row["id"])
        mine = latest is not None and (latest.requested_by_user_id == principal.user_id or principal.role in SEE_ALL)
        row["job"] = {"job": latest, "percent": percent(latest), "can_download": mine} if latest else None
    audit.record(
        session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
        action="read_subject_requests", object_type="subject_request",
        detail={"role": principal.role.value, "requests": len(rows)}, ip=ip,
    )  # fmt: skip
    return rows


def _page(request: Request, session: Session, principal: Principal, csrf_token: str, *,
          error: str | None = None, done: str | None = None, erasure: dict[str, Any] | None = None,
          values: dict[str, Any] | None = None, status: int = 200) -> Response:  # fmt: skip
    rows = _register(session, principal, client_ip(request))
    context = {
        "principal": principal,
        "csrf_token": csrf_token,
        "requests": rows,
        "refresh": 5 if any(r["job"] and r["job"]["job"].status in ("queued", "running") for r in rows) else None,
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "can_act": can_act(principal),
        "max_reason": MAX_REASON,
        "erasure": erasure,
        "error": error,
        "done": done,
        "values": values or {},
    }
    return templates.TemplateResponse(request, "pages/governance_requests.html", context, status_code=status)


@router.get("/governance/requests", response_class=HTMLResponse)
def requests_page(request: Request, session: SessionDep, user: CurrentUser, feito: str = "") -> Response:
    principal, login = user
    require_view(principal)
    return _page(request, session, principal, login.csrf_token, done=DONE.get(feito))


def _confirm(request: Request, session: Session, principal: Principal, csrf_token: str, *, kind: str,
             phone: str, reason: str) -> Response:  # fmt: skip
    """The confirmation step: what the number leads to, nothing done yet."""
    try:
        reason = require_reason(reason, what="o pedido")
        found = preview_subject(session, principal=principal, phone=phone, ip=client_ip(request))
    except AtalaiaError as exc:  # answered: the failed lookup's audit entry must commit
        values = {f"{kind}_phone": phone, f"{kind}_reason": reason}
        return _page(request, session, principal, csrf_token, error=exc.message, values=values, status=exc.status)
    context = {
        "principal": principal,
        "csrf_token": csrf_token,
        "kind": kind,
        "found": found,
        "reason": reason,
        "action": "/governance/requests/access" if kind == "access" else "/governance/requests/erasure/confirm",
    }
    return templates.TemplateResponse(request, "pages/governance_confirm.html", context)


@router.post("/governance/requests/access")
def access_request(
    request: Request, session: SessionDep, user: CurrentUser, phone: Phone = "", reason: Reason = "",
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:  # fmt: skip
    principal, login = user
    require_act(principal)
    if confirm != "1":
        return _confirm(request, session, principal, login.csrf_token, kind="access", phone=phone, reason=reason)
    try:
        open_access_request(session, principal=principal, phone=phone, reason=reason, ip=client_ip(request))
    except AtalaiaError as exc:
        values = {"access_phone": phone, "access_reason": reason}
        return _page(request, session, principal, login.csrf_token, error=exc.message, values=values,
                     status=exc.status)  # fmt: skip
    return RedirectResponse("/governance/requests?feito=access", status_code=303)


@router.post("/governance/requests/erasure")
def erasure_request(
    request: Request, session: SessionDep, user: CurrentUser, phone: Phone = "", reason: Reason = ""
) -> Response:
    principal, login = user
    require_act(principal)
    return _confirm(request, session, principal, login.csrf_token, kind="erasure", phone=phone, reason=reason)


OutsideUser = Annotated[ReleasedUser, Depends(released_console_user)]  # its transaction is over on return


@erase_router.post("/governance/requests/erasure/confirm")
def erase_confirmed(
    request: Request, runtime: RuntimeDep, user: OutsideUser, phone: Phone = "", reason: Reason = ""
) -> Response:
    principal, csrf_token = user.principal, user.csrf_token
    require_act(principal)
    with runtime.sessions() as session:
        tenant = session.get_one(Tenant, principal.tenant_id)
    error: AtalaiaError | None = None
    result: dict[str, Any] | None = None
    try:
        outcome = erase_subject(runtime, tenant=tenant, phone=phone, reason=reason, actor=principal.email)
        result = outcome.as_dict()
    except AtalaiaError as exc:
        error = exc
    with transaction(runtime.sessions) as session:
        if error is not None:
            return _page(request, session, principal, csrf_token, error=error.message, status=error.status,
                         values={"erasure_phone": phone, "erasure_reason": reason})  # fmt: skip
        return _page(request, session, principal, csrf_token, erasure=result)
