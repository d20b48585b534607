"""`/admin/invitations` (administrators invite employees) and `/admin/acceptances` (who accepted which version).

The invitation is written in the request's transaction; its e-mail goes out after the commit,
as a background task of the response, so that an SMTP server taking its time never holds the
database (on SQLite, the request holds the write lock until it commits) and no e-mail carries a
link that a failed commit would have voided. Its outcome then shows in the list. Without SMTP the
link is shown once to the administrator, to be delivered another way.

The acceptance report is open to every role within their scope (a manager: their teams'
employees), audited as a read; its CSV is defused against spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from atalaia.db.models import LoginSession
from atalaia.domain.enums import Role
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.exports.csv_file import safe_cell
from atalaia.runtime import Runtime
from atalaia.services.access import Principal
from atalaia.services.onboarding import read_acceptances
from atalaia.services.onboarding.report import free_lines
from atalaia.services.onboarding.sending import deliver, prepare_invitation, record_delivery, settings_mailer
from atalaia.services.user_admin import list_teams
from atalaia.web.console.gate import require_roles
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, RuntimeDep, SessionDep, client_ip
from atalaia.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
EMAIL_STATUS_PT = {
    "pending": "enviando",
    "sent": "enviado",
    "failed": "falhou",
    "retrying": "falhou; será tentado de novo",
    "not_configured": "não enviado (SMTP não configurado)",
}
INVITATION_PT = {"open": "aberto", "used": "usado", "expired": "expirado", "superseded": "substituído"}


def _admin(user: tuple[Principal, LoginSession]) -> tuple[Principal, LoginSession]:
    require_roles(user[0], Role.ADMIN)
    return user


def _invitations_page(request: Request, session: Session, principal: Principal, login: LoginSession, *,
                      created: dict[str, Any] | None = None, error: str | None = None,
                      values: dict[str, str] | None = None, status: int = 200) -> Response:  # fmt: skip
    report = read_acceptances(session, principal=principal, now=datetime.now(UTC), ip=client_ip(request),
                              via="invitations")  # fmt: skip
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "report": report,
        "teams": list_teams(session, tenant_id=principal.tenant_id),
        "free_lines": free_lines(session, tenant_id=principal.tenant_id),
        "created": created,
        "error": error,
        "values": values or {},
        "email_pt": EMAIL_STATUS_PT,
        "invitation_pt": INVITATION_PT,
    }
    return templates.TemplateResponse(request, "pages/admin_invitations.html", context, status_code=status)


@router.get("/admin/invitations", response_class=HTMLResponse)
def invitations_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = _admin(user)
    return _invitations_page(request, session, principal, login)


@router.post("/admin/invitations", response_class=HTMLResponse)
def invite(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    user: CurrentUser,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    team: Annotated[str, Form(max_length=120)] = "",
    line: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    principal, login = _admin(user)
    values = {"email": email, "name": name, "team": team, "line": line}
    try:
        with session.begin_nested():  # a refusal leaves nothing half-written (a new employee, a team)
            prepared = prepare_invitation(session, settings=runtime.settings, tenant_id=principal.tenant_id,
                                          email=email, name=name, team=team or None, line=line or None,
                                          actor=principal.email, now=datetime.now(UTC),
                                          user_id=principal.user_id, ip=client_ip(request))  # fmt: skip
    except (InvalidInput, Conflict, NotFound) as exc:
        return _invitations_page(request, session, principal, login, error=exc.message, values=values,
                                 status=exc.status)  # fmt: skip
    mailer, why = settings_mailer(runtime.settings)
    created = {"email": prepared.mail.to, "line": prepared.mail.line, "link": None, "why": why}
    if mailer is None:
        record_delivery(session, invitation_id=prepared.invitation_id, status="not_configured", error=why)
        created["link"] = prepared.mail.link  # shown once, now: the database keeps only its hash
    response = _invitations_page(request, session, principal, login, created=created)
    if mailer is not None:
        response.background = BackgroundTask(_send_after_commit, runtime, prepared.invitation_id, prepared.mail)
    return response


def _send_after_commit(runtime: Runtime, invitation_id: int, mail: Any) -> None:
    deliver(runtime, invitation_id=invitation_id, mail=mail, mailer=None)


@router.get("/admin/acceptances", response_class=HTMLResponse)
def acceptances_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal, login = user
    report = read_acceptances(session, principal=principal, now=datetime.now(UTC), ip=client_ip(request))
    context = {"principal": principal, "csrf_token": login.csrf_token, "report": report,
               "invitation_pt": INVITATION_PT}  # fmt: skip
    return templates.TemplateResponse(request, "pages/admin_acceptances.html", context)


@router.get("/admin/acceptances.csv")
def acceptances_csv(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    principal = user[0]
    report = read_acceptances(session, principal=principal, now=datetime.now(UTC), ip=client_ip(request), via="csv")
    text = io.StringIO()
    csv.writer(text).writerows([safe_cell(cell) for cell in row] for row in report.csv_rows())
    headers = {"Content-Disposition": 'attachment; filename="atalaia-aceites.csv"'}
    return Response("\ufeff" + text.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
