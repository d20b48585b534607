"""Teams, employees and console users."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Employee, ManagedTeam, Team, User
from atalaia.domain.enums import Role
from atalaia.errors import Conflict, InvalidInput
from atalaia.security.passwords import generate_password, hash_password

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f"invalid e-mail address {email!r}")
    return email


def ensure_team(session: Session, *, tenant_id: int, name: str) -> Team:
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("a team name needs 1 to 120 characters")
    team = session.execute(select(Team).where(Team.tenant_id == tenant_id, Team.name == name)).scalar_one_or_none()
    if team is None:
        team = Team(tenant_id=tenant_id, name=name)
        session.add(team)
        session.flush()
    return team


def ensure_employee(
    session: Session, *, tenant_id: int, email: str, name: str | None = None, team_id: int | None = None
) -> Employee:
    email = normalise_email(email)
    employee = session.execute(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.email == email)
    ).scalar_one_or_none()
    if employee is None:
        employee = Employee(
            tenant_id=tenant_id,
            email=email,
            name=name or email.split("@", 1)[0].replace(".", " ").title(),
            team_id=team_id,
        )
        session.add(employee)
        session.flush()
    return employee


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user: User
    generated_password: str | None  # shown once, never stored


def create_user(
    session: Session,
    *,
    tenant_id: int,
    email: str,
    role: str,
    teams: list[str] | None = None,
    password: str | None = None,
    name: str = "",
) -> CreatedUser:
    email = normalise_email(email)
    try:
        parsed_role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}") from None
    if parsed_role is Role.MANAGER and not teams:
        raise InvalidInput("a manager must be given the team they manage (--team)")
    exists = session.execute(
        select(User.id).where(User.tenant_id == tenant_id, User.email == email)
    ).scalar_one_or_none()
    if exists is not None:
        raise Conflict(f"a user {email} already exists")
    generated = None if password else generate_password()
    user = User(
        tenant_id=tenant_id,
        email=email,
        name=name,
        role=parsed_role.value,
        password_hash=hash_password(password or generated or ""),
        is_active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    for team_name in teams or []:
        team = ensure_team(session, tenant_id=tenant_id, name=team_name)
        session.add(ManagedTeam(tenant_id=tenant_id, user_id=user.id, team_id=team.id))
    session.flush()
    return CreatedUser(user=user, generated_password=generated)
