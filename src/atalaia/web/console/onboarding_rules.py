"""`/admin/usage-rules`: administrators read the rules in force, edit the Markdown with a preview, publish
a new version (which every employee must accept again) and read past versions.

The preview is rendered on the server by the same safe renderer the employees' page uses (the
CSP allows no inline script), so what the administrator previews is exactly what will be shown.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession
from atalaia.domain.enums import Role
from atalaia.errors import Conflict, InvalidInput
from atalaia.services.access import Principal
from atalaia.services.onboarding import current_rules, get_version, publish_rules, render_markdown, rules_history
from atalaia.services.onboarding.markdown import MAX_MARKDOWN_CHARS
from atalaia.web.console.gate import require_roles
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
FORM_LIMIT: Final = MAX_MARKDOWN_CHARS * 4  # characters before the service's own check gives the clear error


def _admin(user: tuple[Principal, LoginSession]) -> tuple[Principal, LoginSession]:
    require_roles(user[0], Role.ADMIN)
    return user


def _page(request: Request, session: Session, principal: Principal, login: LoginSession, *, draft: str | None = None,
          preview: bool = False, error: str | None = None, done: str | None = None,
          status: int = 200) -> Response:  # fmt: skip
    current = current_rules(session, tenant_id=principal.tenant_id)
    text = current.body if draft is None else draft
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "current": current,
        "current_html": render_markdown(current.body),
        "draft": text,
        "preview_html": render_markdown(text) if preview else None,
        "history": rules_history(session, tenant_id=principal.tenant_id),
        "error": error,
        "done": done,
        "limit": MAX_MARKDOWN_CHARS,
    }
    return templates.TemplateResponse(request, "pages/admin_usage_rules.html", context, status_code=status)


@router.get("/admin/usage-rules", response_class=HTMLResponse)
def rules_page(request: Request, session: SessionDep, user: CurrentUser, done: str = "") -> Response:
    principal, login = _admin(user)
    message = "Nova versão publicada: cada colaborador precisa aceitá-la de novo." if done == "published" else None
    return _page(request, session, principal, login, done=message)


@router.post("/admin/usage-rules", response_class=HTMLResponse)
def rules_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[str, Form(max_length=FORM_LIMIT)] = "",
    action: Annotated[str, Form(max_length=20)] = "preview",
) -> Response:
    principal, login = _admin(user)
    if action != "publish":
        return _page(request, session, principal, login, draft=body, preview=True)
    try:
        publish_rules(session, tenant_id=principal.tenant_id, body=body, actor=principal.email,
                      user_id=principal.user_id, ip=client_ip(request))  # fmt: skip
    except (InvalidInput, Conflict) as exc:
        return _page(request, session, principal, login, draft=body, preview=True, error=exc.message,
                     status=exc.status)  # fmt: skip
    return RedirectResponse("/admin/usage-rules?done=published", status_code=303)


@router.get("/admin/usage-rules/{version}", response_class=HTMLResponse)
def version_page(request: Request, session: SessionDep, user: CurrentUser, version: int) -> Response:
    principal, login = _admin(user)
    row = get_version(session, tenant_id=principal.tenant_id, version=version)
    context = {"principal": principal, "csrf_token": login.csrf_token, "row": row,
               "html": render_markdown(row.body)}  # fmt: skip
    return templates.TemplateResponse(request, "pages/admin_usage_rules_version.html", context)
