"""`/admin/audit`: the audit log for administrators and auditors, filtered and paged, with its chain check.

The chain check runs when asked (`verify=1`, the page's button), not on every page: it walks the
whole log, which grows with every audited read. Dates are the viewer's calendar days (São Paulo).
Filters are read as text and explained in the page when wrong, as on `/search`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from atalaia.domain.enums import Role
from atalaia.services.audit_view import AuditFilters, check_audit_chain, read_audit_log, recent_actions
from atalaia.web.console.gate import require_roles
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.templating import VIEWER_ZONE, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

PAGE_SIZE: Final = 50
MAX_PAGE: Final = 10_000
Text = Annotated[str, Query(max_length=320)]


class FilterError(ValueError):
    """A filter typed by hand that cannot be used; its message is shown in the form."""


def _day(value: str, label: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FilterError(f"Data inválida em “{label}”: use o formato AAAA-MM-DD.") from None


def _filters(action: str, actor: str, date_from: str, date_to: str) -> AuditFilters:
    first, last = _day(date_from, "De"), _day(date_to, "Até")
    if first and last and first > last:
        raise FilterError("A data “De” é posterior à data “Até”.")
    return AuditFilters(
        action=action.strip() or None,
        actor=actor.strip() or None,
        start=datetime.combine(first, time.min, VIEWER_ZONE) if first else None,
        end=datetime.combine(last + timedelta(days=1), time.min, VIEWER_ZONE) if last else None,
    )


def _link(form: dict[str, str], page: int) -> str:
    kept = [(name, value) for name, value in form.items() if value]
    return "/admin/audit?" + urlencode([*kept, ("page", str(page))])


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    action: Text = "",
    actor: Text = "",
    date_from: Annotated[str, Query(alias="from", max_length=20)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    verify: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    principal, login = user
    require_roles(principal, Role.ADMIN, Role.AUDITOR)
    csrf_token, ip = login.csrf_token, client_ip(request)  # read before the chain check detaches objects
    check = check_audit_chain(session, reader=principal, ip=ip) if verify == "1" else None
    form = {"action": action, "actor": actor, "from": date_from, "to": date_to}
    context: dict[str, Any] = {
        "principal": principal,
        "csrf_token": csrf_token,
        "form": form,
        "actions": recent_actions(session, tenant_id=principal.tenant_id),
        "check": check,
        "verify_link": "/admin/audit?" + urlencode([*((k, v) for k, v in form.items() if v), ("verify", "1")]),
        "rows": [],
        "error": None,
        "page": page,
        "prev_url": None,
        "next_url": None,
    }
    try:
        filters = _filters(action, actor, date_from, date_to)
    except FilterError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(request, "pages/admin_audit.html", context, status_code=400)
    offset = (page - 1) * PAGE_SIZE
    result = read_audit_log(session, reader=principal, filters=filters, limit=PAGE_SIZE, offset=offset, ip=ip)
    context["rows"] = result.rows
    context["prev_url"] = _link(form, page - 1) if page > 1 else None
    context["next_url"] = _link(form, page + 1) if result.has_more and page < MAX_PAGE else None
    return templates.TemplateResponse(request, "pages/admin_audit.html", context)
