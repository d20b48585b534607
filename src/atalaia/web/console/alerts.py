"""Console pages for alerts: the inbox, the case (hits in context, history, actions) and precision per rule.

Everything goes through `services.compliance` with `Actor.from_principal`, so scoping, roles,
pseudonyms and the audit log are the services' (the same the command line and the API use).
Refusals that leave evidence (an alert out of scope: a denied entry) are answered, not raised,
so the entry commits; a refused or invalid action re-renders the case with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from atalaia.domain.case import CaseStatus
from atalaia.domain.enums import Role
from atalaia.errors import AtalaiaError, Conflict, InvalidInput, NotFound
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.case_evidence import REVIEWERS, list_evidence
from atalaia.services.compliance.cases import MAX_TEXT_CHARS, assign, comment, escalate, reopen, resolve, start_review
from atalaia.services.compliance.evidence import hit_context
from atalaia.services.compliance.precision import rule_precision
from atalaia.services.compliance.privacy import MIN_REASON_CHARS, Revealed, reveal
from atalaia.services.compliance.views import alert_counts, alert_detail, assignees, list_alerts
from atalaia.web.alert_support import LABELS, pseudonyms_for
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.errors import render_error
from atalaia.web.templating import templates

# Every unsafe method on this router passes the CSRF check before its body runs.
router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

PAGE_SIZE: Final = 50
FORM_TEXT_CHARS: Final = 5 * MAX_TEXT_CHARS  # bounds the request; the service says when it is too long
DONE: Final = {
    "review": "Análise iniciada.",
    "assign": "Responsável atualizado.",
    "comment": "Comentário registrado.",
    "resolve": "Alerta resolvido.",
    "reopen": "Alerta reaberto.",
    "escalate": "Alerta escalado para a conformidade.",
    "evidence": "Evidência anexada ao caso.",
    "withdraw": "Evidência retirada; ela continua no histórico.",
    "notice": "Aviso enviado ao colaborador.",
}
Filter = Annotated[str, Query(max_length=100)]
TextField = Annotated[str, Form(max_length=FORM_TEXT_CHARS)]


@router.get("/alerts", response_class=HTMLResponse)
def inbox(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    status: Filter = "",
    severity: Filter = "",
    category: Filter = "",
    policy: Filter = "",
    page: int = 1,
) -> Response:
    principal, login = user
    if page < 1 or page > 100_000:
        raise InvalidInput("página inválida")
    actor = Actor.from_principal(principal)
    filters = {"status": status, "severity": severity, "category": category, "policy": policy}
    total, alerts = list_alerts(
        session,
        tenant_id=principal.tenant_id,
        actor=actor,
        pseudonyms=pseudonyms_for(session, runtime, principal.tenant_id),
        status=status or None,
        severity=severity or None,
        category=category or None,
        policy=policy or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, ceil(total / PAGE_SIZE))
    kept = {k: v for k, v in filters.items() if v}
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "alerts": alerts,
        "counts": alert_counts(session, tenant_id=principal.tenant_id, actor=actor),
        "filters": filters,
        "total": total,
        "page": page,
        "pages": pages,
        "prev_url": f"/alerts?{urlencode({**kept, 'page': page - 1})}" if page > 1 else None,
        "next_url": f"/alerts?{urlencode({**kept, 'page': page + 1})}" if page < pages else None,
        "labels": LABELS,
    }
    return templates.TemplateResponse(request, "pages/alerts.html", context)


@router.get("/alerts/precision", response_class=HTMLResponse)
def precision(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = user
    rows = rule_precision(session, tenant_id=principal.tenant_id, actor=Actor.from_principal(principal))
    context = {"principal": principal, "csrf_token": login.csrf_token, "rows": rows}
    return templates.TemplateResponse(request, "pages/alerts_precision.html", context)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def case(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int, feito: Filter = ""
) -> Response:
    return _case_page(request, session, runtime, user, alert_id, done=DONE.get(feito))


@router.post("/alerts/{alert_id}/review")
def review_action(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int
) -> Response:
    tenant_id = user[0].tenant_id

    def run(actor: Actor) -> object:
        return start_review(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor)

    return _act(request, session, runtime, user, alert_id, "review", {}, run)


@router.post("/alerts/{alert_id}/assign")
def assign_action(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    alert_id: int,
    assignee: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    tenant_id = user[0].tenant_id

    def run(actor: Actor) -> object:
        value = assignee.strip()
        if value and not value.isdigit():
            raise InvalidInput("responsável inválido")
        who = int(value) if value else None
        return assign(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, assignee_user_id=who)

    return _act(request, session, runtime, user, alert_id, "assign", {"assignee": assignee}, run)


@router.post("/alerts/{alert_id}/comment")
def comment_action(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int, text: TextField = ""
) -> Response:
    tenant_id = user[0].tenant_id

    def run(actor: Actor) -> object:
        return comment(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, text=text)

    return _act(request, session, runtime, user, alert_id, "comment", {"text": text}, run)


@router.post("/alerts/{alert_id}/resolve")
def resolve_action(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    alert_id: int,
    resolution: Annotated[str, Form(max_length=20)] = "",
    reason: TextField = "",
) -> Response:
    tenant_id = user[0].tenant_id

    def run(actor: Actor) -> object:
        if not resolution:
            raise InvalidInput("escolha a resolução: confirmado ou falso positivo")
        return resolve(
            session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, resolution=resolution, reason=reason
        )

    return _act(request, session, runtime, user, alert_id, "resolve", {"resolution": resolution, "reason": reason}, run)


@router.post("/alerts/{alert_id}/reopen")
def reopen_action(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int, reason: TextField = ""
) -> Response:
    tenant_id = user[0].tenant_id

    def run(actor: Actor) -> object:
        return reopen(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, reason=reason)

    return _act(request, session, runtime, user, alert_id, "reopen", {"reason": reason}, run)


@router.post("/alerts/{alert_id}/escalate")
def escalate_action(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int, reason: TextField = ""
) -> Response:
    tenant_id = user[0].tenant_id

    def run(actor: Actor) -> object:
        return escalate(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, reason=reason)

    return _act(request, session, runtime, user, alert_id, "escalate", {"reason": reason}, run)


@router.post("/alerts/{alert_id}/reveal", response_class=HTMLResponse)
def reveal_action(
    request: Request, session: SessionDep, runtime: RuntimeDep, user: CurrentUser, alert_id: int, reason: TextField = ""
) -> Response:
    """The name is shown in this answer only: each look is its own case event and audit entry."""
    principal = user[0]
    try:
        revealed = reveal(
            session,
            tenant_id=principal.tenant_id,
            alert_id=alert_id,
            actor=Actor.from_principal(principal),
            reason=reason,
            pseudonyms=pseudonyms_for(session, runtime, principal.tenant_id),
        )
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)  # answered: the denied attempt's entry commits
    except InvalidInput as exc:
        values = {"reason": reason}
        return _failed(request, session, runtime, user, alert_id, exc, action="reveal", values=values)
    return _case_page(request, session, runtime, user, alert_id, revealed=revealed, done="Colaborador revelado.")


def _act(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    alert_id: int,
    action: str,
    values: dict[str, str],
    run: Callable[[Actor], object],
) -> Response:
    """Run one case action, then show the case again (a redirect, so a reload does not repeat it).

    The services validate before they write, so answering their InvalidInput or Conflict leaves
    nothing half done; Forbidden (an auditor) propagates as a 403 page.
    """
    try:
        run(Actor.from_principal(user[0]))
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)  # answered: the denied attempt's entry commits
    except (InvalidInput, Conflict) as exc:
        return _failed(request, session, runtime, user, alert_id, exc, action=action, values=values)
    return RedirectResponse(f"/alerts/{alert_id}?feito={action}", status_code=303)


def _failed(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    alert_id: int,
    exc: AtalaiaError,
    *,
    action: str,
    values: dict[str, str],
) -> Response:
    """The case again, with why the action was refused and what was typed kept in its form."""
    return _case_page(request, session, runtime, user, alert_id, error=exc.message, failed=action, values=values,
                      status_code=exc.status)  # fmt: skip


def _case_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    alert_id: int,
    *,
    revealed: Revealed | None = None,
    done: str | None = None,
    error: str | None = None,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    principal, login = user
    actor = Actor.from_principal(principal)
    tenant_id = principal.tenant_id
    try:
        detail = alert_detail(
            session,
            tenant_id=tenant_id,
            alert_id=alert_id,
            actor=actor,
            pseudonyms=pseudonyms_for(session, runtime, tenant_id),
        )
    except NotFound as exc:
        return render_error(request, exc.status, exc.message)  # answered: the denied attempt's entry commits
    employee = revealed.name if revealed is not None and revealed.name else detail.alert.employee
    evidence = hit_context(
        session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, employee_label=employee, ip=client_ip(request)
    )
    can_act = actor.role is not Role.AUDITOR
    is_open = detail.alert.status != CaseStatus.RESOLVED.value
    people = assignees(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor) if can_act and is_open else []
    files = list_evidence(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor)
    context: dict[str, Any] = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "a": detail.alert,
        "hits": detail.hits,
        "events": detail.events,
        "evidence": evidence,
        "revealed": revealed,
        "done": done,
        "error": error,
        "failed": failed,
        "values": values or {},
        "can_act": can_act,
        "can_reveal": actor.role is Role.COMPLIANCE,
        "min_reason": MIN_REASON_CHARS,
        "max_text": MAX_TEXT_CHARS,
        "people": people,
        "labels": LABELS,
        "files": files,
        "can_add_evidence": actor.role in REVIEWERS and is_open,
        "can_notify": actor.role is Role.COMPLIANCE,
        "max_evidence_mib": runtime.settings.max_evidence_bytes // (1024 * 1024),
    }
    return templates.TemplateResponse(request, "pages/alert.html", context, status_code=status_code)
