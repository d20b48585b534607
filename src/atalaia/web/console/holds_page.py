"""`/governance/holds`: legal holds in force and released; place one, release one with a reason.

Everything is `services.governance.holds`' (audited there: `hold_added`, `hold_released`); the
list itself names phones and queries, so reading it is audited as `read_holds`. A refused form
re-renders the page with the reason and what was typed; nothing was written before the refusal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession, Tenant
from atalaia.errors import AtalaiaError, InvalidInput
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.governance import HoldTarget, add_hold, hold_as_dict, list_holds, release_hold
from atalaia.services.governance.inputs import MAX_REASON, parse_day
from atalaia.web.console.governance_gate import can_act, require_act, require_view
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

SCOPES: Final = {
    "phone": "Contato (telefone)",
    "line": "Linha",
    "conversation": "Conversa (número)",
    "employee": "Colaborador (e-mail)",
    "query": "Busca",
}
DONE: Final = {"added": "Retenção legal em vigor.", "released": "Retenção legal liberada."}
MAX_ID: Final = 2**63 - 1
Reason = Annotated[str, Form(max_length=MAX_REASON * 2)]  # bounds the request; the service says why


def target_from_form(scope: str, value: str) -> HoldTarget:
    """The hold's target from the form's two fields; a conversation must be a number."""
    value = value.strip()
    if scope not in SCOPES:
        raise InvalidInput("escolha o que reter: contato, linha, conversa, colaborador ou busca")
    if scope == "conversation":
        if not value.isdigit() or len(value) > 19 or not 1 <= int(value) <= MAX_ID:
            raise InvalidInput("número de conversa inválido")
        return HoldTarget(conversation=int(value))
    return HoldTarget(
        phone=value if scope == "phone" else None,
        line=value if scope == "line" else None,
        employee=value if scope == "employee" else None,
        query=value if scope == "query" else None,
    )


def _page(request: Request, session: Session, principal: Principal, login: LoginSession, *,
          error: str | None = None, done: str | None = None, values: dict[str, Any] | None = None,
          status: int = 200) -> Response:  # fmt: skip
    now = datetime.now(UTC)
    holds = [hold_as_dict(hold, now=now) for hold in list_holds(session, tenant_id=principal.tenant_id)]
    audit.record(
        session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id,
        action="read_holds", object_type="legal_hold", detail={"role": principal.role.value, "holds": len(holds)},
        ip=client_ip(request),
    )  # fmt: skip
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "active": [h for h in holds if h["active"]],
        "inactive": [h for h in reversed(holds) if not h["active"]],
        "scopes": SCOPES,
        "can_act": can_act(principal),
        "max_reason": MAX_REASON,
        "error": error,
        "done": done,
        "values": values or {},
    }
    return templates.TemplateResponse(request, "pages/governance_holds.html", context, status_code=status)


@router.get("/governance/holds", response_class=HTMLResponse)
def holds_page(request: Request, session: SessionDep, user: CurrentUser, feito: str = "") -> Response:
    principal, login = user
    require_view(principal)
    return _page(request, session, principal, login, done=DONE.get(feito))


@router.post("/governance/holds")
def place_hold(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    scope: Annotated[str, Form(max_length=20)] = "",
    target: Annotated[str, Form(max_length=1000)] = "",
    reason: Reason = "",
    starts: Annotated[str, Form(max_length=20)] = "",
    until: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    principal, login = user
    require_act(principal)
    values = {"scope": scope, "target": target, "reason": reason, "starts": starts, "until": until}
    tenant = session.get_one(Tenant, principal.tenant_id)
    try:
        add_hold(
            session, tenant=tenant, target=target_from_form(scope, target), reason=reason, owner=principal.email,
            starts_at=parse_day(starts, timezone=tenant.timezone, end=False, label="Início"),
            ends_at=parse_day(until, timezone=tenant.timezone, end=True, label="Fim"),
        )  # fmt: skip
    except AtalaiaError as exc:
        return _page(request, session, principal, login, error=exc.message, values=values, status=exc.status)
    return RedirectResponse("/governance/holds?feito=added", status_code=303)


@router.post("/governance/holds/{hold_id}/release")
def release(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    hold_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    reason: Reason = "",
) -> Response:
    principal, login = user
    require_act(principal)
    try:
        release_hold(session, tenant_id=principal.tenant_id, hold_id=hold_id, reason=reason, actor=principal.email)
    except AtalaiaError as exc:
        return _page(request, session, principal, login, error=exc.message, status=exc.status)
    return RedirectResponse("/governance/holds?feito=released", status_code=303)
