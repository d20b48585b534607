"""Administering console users and teams: the use cases behind `/admin/users`.

Every change is audited with the administrator as actor. An administrator cannot change their
own role or disable themselves, so a tenant cannot be left without one by a slip. Disabling a
user ends their console sessions and revokes their API tokens at once (a later re-enable does
not bring old tokens back); `is_active` already refuses both on every request.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Result, delete, func, select, update
from sqlalchemy.orm import Session

from atalaia.db.models import ApiToken, Line, LoginSession, ManagedTeam, Team, TotpCredential, User
from atalaia.domain.enums import Role
from atalaia.errors import Conflict, InvalidInput, NotFound
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.people import CreatedUser, create_user, ensure_team, normalise_email

NOT_FOUND: Final = "usuário não encontrado"
MANAGER_NEEDS_TEAM: Final = "um gestor precisa de ao menos uma equipe"
NOT_YOURSELF: Final = "não é possível mudar o próprio papel nem desativar a si mesmo"


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    active: bool
    teams: list[str]
    totp: bool
    last_login_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TeamRow:
    id: int
    name: str
    managers: list[str]
    lines: int


def _teams_by_user(session: Session, tenant_id: int) -> dict[int, list[str]]:
    rows = session.execute(
        select(ManagedTeam.user_id, Team.name)
        .join(Team, Team.id == ManagedTeam.team_id)
        .where(ManagedTeam.tenant_id == tenant_id)
        .order_by(Team.name)
    ).all()
    teams: dict[int, list[str]] = defaultdict(list)
    for user_id, name in rows:
        teams[user_id].append(name)
    return teams


def list_users(session: Session, *, tenant_id: int) -> list[UserRow]:
    teams = _teams_by_user(session, tenant_id)
    with_totp = set(
        session.execute(
            select(TotpCredential.user_id).where(
                TotpCredential.tenant_id == tenant_id, TotpCredential.confirmed_at.is_not(None)
            )
        ).scalars()
    )
    users = session.execute(select(User).where(User.tenant_id == tenant_id).order_by(User.email)).scalars()
    return [
        UserRow(
            id=u.id,
            email=u.email,
            name=u.name,
            role=u.role,
            active=u.is_active,
            teams=teams.get(u.id, []),
            totp=u.id in with_totp,
            last_login_at=u.last_login_at,
            created_at=u.created_at,
        )
        for u in users
    ]


def list_teams(session: Session, *, tenant_id: int) -> list[TeamRow]:
    managers: dict[int, list[str]] = defaultdict(list)
    for team_id, email in session.execute(
        select(ManagedTeam.team_id, User.email)
        .join(User, User.id == ManagedTeam.user_id)
        .where(ManagedTeam.tenant_id == tenant_id)
        .order_by(User.email)
    ).all():
        managers[team_id].append(email)
    lines = dict(
        session.execute(
            select(Line.team_id, func.count()).where(Line.tenant_id == tenant_id).group_by(Line.team_id)
        ).all()
    )
    teams = session.execute(select(Team).where(Team.tenant_id == tenant_id).order_by(Team.name)).scalars()
    return [
        TeamRow(id=t.id, name=t.name, managers=managers.get(t.id, []), lines=int(lines.get(t.id, 0))) for t in teams
    ]


def get_user(session: Session, *, tenant_id: int, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound(NOT_FOUND)
    return user


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("papel desconhecido") from None


def _team_names(names: list[str]) -> list[str]:
    cleaned = sorted({name.strip() for name in names if name.strip()})
    if any(len(name) > 120 for name in cleaned):
        raise InvalidInput("o nome de uma equipe tem no máximo 120 caracteres")
    return cleaned


def add_user(
    session: Session,
    *,
    admin: Principal,
    email: str,
    role: str,
    teams: list[str],
    name: str = "",
    ip: str | None = None,
) -> CreatedUser:
    """Creates a user with a generated password (returned once, never stored in clear)."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        raise InvalidInput("e-mail inválido") from None
    parsed, team_names = _role(role), _team_names(teams)
    if parsed is Role.MANAGER and not team_names:
        raise InvalidInput(MANAGER_NEEDS_TEAM)
    exists = session.execute(select(User.id).where(User.tenant_id == admin.tenant_id, User.email == email)).first()
    if exists is not None:
        raise Conflict(f"já existe um usuário {email}")
    created = create_user(
        session, tenant_id=admin.tenant_id, email=email, role=parsed.value, teams=team_names, name=name.strip()[:200]
    )
    audit.record(
        session,
        tenant_id=admin.tenant_id,
        actor=admin.email,
        user_id=admin.user_id,
        action="user_created",
        object_type="user",
        object_id=created.user.id,
        ip=ip,
        detail={"email": email, "role": parsed.value, "teams": team_names},
    )
    return created


def change_role(
    session: Session, *, admin: Principal, user_id: int, role: str, teams: list[str], ip: str | None = None
) -> None:
    """Sets a user's role and the teams they manage (which only limit what a manager sees)."""
    user = get_user(session, tenant_id=admin.tenant_id, user_id=user_id)
    parsed, team_names = _role(role), _team_names(teams)
    if user.id == admin.user_id and parsed.value != user.role:
        raise Conflict(NOT_YOURSELF)
    if parsed is Role.MANAGER and not team_names:
        raise InvalidInput(MANAGER_NEEDS_TEAM)
    before = {"role": user.role, "teams": _teams_by_user(session, admin.tenant_id).get(user.id, [])}
    user.role = parsed.value
    session.execute(delete(ManagedTeam).where(ManagedTeam.user_id == user.id))
    for team_name in team_names:
        team = ensure_team(session, tenant_id=admin.tenant_id, name=team_name)
        session.add(ManagedTeam(tenant_id=admin.tenant_id, user_id=user.id, team_id=team.id))
    session.flush()
    audit.record(
        session,
        tenant_id=admin.tenant_id,
        actor=admin.email,
        user_id=admin.user_id,
        action="user_updated",
        object_type="user",
        object_id=user.id,
        ip=ip,
        detail={"email": user.email, "before": before, "after": {"role": parsed.value, "teams": team_names}},
    )


def _rows(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount


def set_active(session: Session, *, admin: Principal, user_id: int, active: bool, ip: str | None = None) -> None:
    """Disables (sessions ended, API tokens revoked) or re-enables a user."""
    user = get_user(session, tenant_id=admin.tenant_id, user_id=user_id)
    if user.id == admin.user_id:
        raise Conflict(NOT_YOURSELF)
    if user.is_active == active:
        return
    user.is_active = active
    detail: dict[str, object] = {"email": user.email}
    if not active:
        ended = session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        revoked = session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        detail |= {"sessions_ended": _rows(ended), "tokens_revoked": _rows(revoked)}
    audit.record(
        session,
        tenant_id=admin.tenant_id,
        actor=admin.email,
        user_id=admin.user_id,
        action="user_enabled" if active else "user_disabled",
        object_type="user",
        object_id=user.id,
        detail=detail,
        ip=ip,
    )


def add_team(session: Session, *, admin: Principal, name: str, ip: str | None = None) -> Team:
    names = _team_names([name])
    if not names:
        raise InvalidInput("dê um nome à equipe")
    exists = session.execute(select(Team.id).where(Team.tenant_id == admin.tenant_id, Team.name == names[0])).first()
    if exists is not None:
        raise Conflict(f"já existe a equipe {names[0]}")
    team = ensure_team(session, tenant_id=admin.tenant_id, name=names[0])
    audit.record(
        session,
        tenant_id=admin.tenant_id,
        actor=admin.email,
        user_id=admin.user_id,
        action="team_created",
        object_type="team",
        object_id=team.id,
        detail={"name": team.name},
        ip=ip,
    )
    return team
