"""`/admin/employee-notice`: administrators edit the tenant's notice to employees, with a preview.

The preview fills the fields with sample values through the same renderer the e-mail uses
(services/compliance/notice_templates.py), so what is previewed is what is sent. Saving makes a
new version; the case history names the version each notice used.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession
from atalaia.domain.enums import Role
from atalaia.errors import InvalidInput
from atalaia.services.access import Principal
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.notice_templates import (
    FIELDS,
    MAX_BODY_CHARS,
    MAX_SUBJECT_CHARS,
    RenderedNotice,
    current_template,
    preview,
    save_template,
)
from atalaia.web.console.gate import require_roles
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
PATH: Final = "/admin/employee-notice"


def _page(request: Request, session: Session, principal: Principal, login: LoginSession, *,
          draft: tuple[str, str] | None = None, shown: RenderedNotice | None = None, error: str | None = None,
          done: str | None = None, status: int = 200) -> Response:  # fmt: skip
    current = current_template(session, tenant_id=principal.tenant_id)
    subject, body = draft if draft is not None else (current.subject, current.body)
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "current": current,
        "subject": subject,
        "body": body,
        "shown": shown,
        "fields": FIELDS,
        "error": error,
        "done": done,
        "max_subject": MAX_SUBJECT_CHARS,
        "max_body": MAX_BODY_CHARS,
    }
    return templates.TemplateResponse(request, "pages/admin_employee_notice.html", context, status_code=status)


@router.get(PATH, response_class=HTMLResponse)
def notice_page(request: Request, session: SessionDep, user: CurrentUser, done: str = "") -> Response:
    principal, login = user
    require_roles(principal, Role.ADMIN)
    return _page(request, session, principal, login, done="Nova versão salva." if done == "saved" else None)


@router.post(PATH, response_class=HTMLResponse)
def notice_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    subject: Annotated[str, Form(max_length=4 * MAX_SUBJECT_CHARS)] = "",
    body: Annotated[str, Form(max_length=4 * MAX_BODY_CHARS)] = "",
    action: Annotated[str, Form(max_length=20)] = "preview",
) -> Response:
    principal, login = user
    require_roles(principal, Role.ADMIN)
    try:
        if action != "save":
            shown = preview(subject, body)
            return _page(request, session, principal, login, draft=(subject, body), shown=shown)
        save_template(session, tenant_id=principal.tenant_id, actor=Actor.from_principal(principal),
                      subject=subject, body=body)  # fmt: skip
    except InvalidInput as exc:
        return _page(request, session, principal, login, draft=(subject, body), error=exc.message,
                     status=exc.status)  # fmt: skip
    return RedirectResponse(f"{PATH}?done=saved", status_code=303)
