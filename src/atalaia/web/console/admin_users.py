"""`/admin/users`: administrators list, create, change and disable users, reset a lost second factor, add teams.

Everything is `services.user_admin`'s (and `services.totp.reset_totp`), audited there. A new user's
password is generated and shown once, in the answer to the form that created it, never again.
A refused change re-renders the page with the reason; nothing was written before the refusal.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from atalaia.db.models import LoginSession
from atalaia.domain.enums import Role
from atalaia.errors import Conflict, InvalidInput
from atalaia.services.access import Principal
from atalaia.services.totp import reset_totp, totp_status
from atalaia.services.user_admin import add_team, add_user, change_role, get_user, list_teams, list_users, set_active
from atalaia.web.console.gate import require_roles
from atalaia.web.csrf import require_csrf
from atalaia.web.deps import CurrentUser, SessionDep, client_ip
from atalaia.web.templating import ROLE_LABELS, templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

MAX_TEAMS: Final = 200
DONE: Final = {
    "role": "Papel e equipes atualizados.",
    "disabled": "Usuário desativado: sessões encerradas e tokens de API revogados.",
    "enabled": "Usuário reativado.",
    "totp": "Verificação em duas etapas removida; o usuário pode ativá-la de novo.",
    "team": "Equipe criada.",
}
Teams = Annotated[list[str], Form()]


def _admin(user: tuple[Principal, LoginSession]) -> tuple[Principal, LoginSession]:
    require_roles(user[0], Role.ADMIN)
    return user


def _team_names(checked: list[str], new_team: str) -> list[str]:
    names = [*checked, new_team]
    if len(names) > MAX_TEAMS:
        raise InvalidInput("equipes demais")
    return names


def _list_page(request: Request, session: Session, principal: Principal, login: LoginSession, *,
               created: dict[str, str] | None = None, error: str | None = None, done: str | None = None,
               values: dict[str, Any] | None = None, status: int = 200) -> Response:  # fmt: skip
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "users": list_users(session, tenant_id=principal.tenant_id),
        "teams": list_teams(session, tenant_id=principal.tenant_id),
        "roles": ROLE_LABELS,
        "created": created,
        "error": error,
        "done": done,
        "values": values or {},
    }
    return templates.TemplateResponse(request, "pages/admin_users.html", context, status_code=status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, user: CurrentUser, done: str = "") -> Response:
    principal, login = _admin(user)
    return _list_page(request, session, principal, login, done=DONE.get(done))


@router.post("/admin/users")
def create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    teams: Teams = [],  # noqa: B006 - FastAPI copies form defaults
    new_team: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    principal, login = _admin(user)
    values = {"email": email, "name": name, "role": role, "teams": teams, "new_team": new_team}
    try:
        created = add_user(session, admin=principal, email=email, name=name, role=role,
                           teams=_team_names(teams, new_team), ip=client_ip(request))  # fmt: skip
    except (InvalidInput, Conflict) as exc:
        return _list_page(request, session, principal, login, error=exc.message, values=values, status=exc.status)
    shown = {"email": created.user.email, "password": created.generated_password or ""}
    return _list_page(request, session, principal, login, created=shown)


def _user_page(request: Request, session: Session, principal: Principal, login: LoginSession, user_id: int, *,
               error: str | None = None, done: str | None = None, status: int = 200) -> Response:  # fmt: skip
    target = get_user(session, tenant_id=principal.tenant_id, user_id=user_id)
    row = next(row for row in list_users(session, tenant_id=principal.tenant_id) if row.id == target.id)
    context = {
        "principal": principal,
        "csrf_token": login.csrf_token,
        "u": row,
        "totp": totp_status(session, user_id=target.id),
        "teams": list_teams(session, tenant_id=principal.tenant_id),
        "roles": ROLE_LABELS,
        "is_self": target.id == principal.user_id,
        "error": error,
        "done": done,
    }
    return templates.TemplateResponse(request, "pages/admin_user.html", context, status_code=status)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, session: SessionDep, user: CurrentUser, user_id: int, done: str = "") -> Response:
    principal, login = _admin(user)
    return _user_page(request, session, principal, login, user_id, done=DONE.get(done))


@router.post("/admin/users/{user_id}/role")
def change(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    user_id: int,
    role: Annotated[str, Form(max_length=20)] = "",
    teams: Teams = [],  # noqa: B006 - FastAPI copies form defaults
    new_team: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    principal, login = _admin(user)
    try:
        change_role(session, admin=principal, user_id=user_id, role=role, teams=_team_names(teams, new_team),
                    ip=client_ip(request))  # fmt: skip
    except (InvalidInput, Conflict) as exc:
        return _user_page(request, session, principal, login, user_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/admin/users/{user_id}?done=role", status_code=303)


def _set_active(request: Request, session: Session, user: tuple[Principal, LoginSession], user_id: int, *,
                active: bool) -> Response:  # fmt: skip
    principal, login = _admin(user)
    try:
        set_active(session, admin=principal, user_id=user_id, active=active, ip=client_ip(request))
    except Conflict as exc:
        return _user_page(request, session, principal, login, user_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/admin/users/{user_id}?done={'enabled' if active else 'disabled'}", status_code=303)


@router.post("/admin/users/{user_id}/disable")
def disable(request: Request, session: SessionDep, user: CurrentUser, user_id: int) -> Response:
    return _set_active(request, session, user, user_id, active=False)


@router.post("/admin/users/{user_id}/enable")
def enable(request: Request, session: SessionDep, user: CurrentUser, user_id: int) -> Response:
    return _set_active(request, session, user, user_id, active=True)


@router.post("/admin/users/{user_id}/totp-reset")
def totp_reset(request: Request, session: SessionDep, user: CurrentUser, user_id: int) -> Response:
    principal, _ = _admin(user)
    target = get_user(session, tenant_id=principal.tenant_id, user_id=user_id)
    reset_totp(session, user=target, actor=principal.email, actor_user_id=principal.user_id, ip=client_ip(request))
    return RedirectResponse(f"/admin/users/{user_id}?done=totp", status_code=303)


@router.post("/admin/teams")
def create_team(
    request: Request, session: SessionDep, user: CurrentUser, name: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    principal, login = _admin(user)
    try:
        add_team(session, admin=principal, name=name, ip=client_ip(request))
    except (InvalidInput, Conflict) as exc:
        return _list_page(request, session, principal, login, error=exc.message, status=exc.status)
    return RedirectResponse("/admin/users?done=team#equipes", status_code=303)
