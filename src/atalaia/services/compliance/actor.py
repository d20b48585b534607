"""Who acts on alerts, and which alerts they see: the same scoping as conversations (services/access.py).

Admin, compliance and auditor see every alert of their tenant; a manager only those raised on
lines of the teams they manage (the line's current team, as for its conversations); anyone else
nothing. Auditors read and never write. The command line acts as `cli` with an administrator's
reach: whoever runs it already holds the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from atalaia.db.models import Alert, Line, ManagedTeam, User
from atalaia.domain.enums import Role
from atalaia.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from atalaia.services.access import Principal

TENANT_WIDE: Final = frozenset({Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR})
READ_ONLY: Final = "auditores têm acesso somente de leitura aos alertas"


@dataclass(frozen=True, slots=True)
class Actor:
    label: str  # what the audit log and the case history say: an e-mail or "cli"
    role: Role
    user_id: int | None = None
    team_ids: frozenset[int] = frozenset()

    @classmethod
    def cli(cls) -> Actor:
        return cls(label="cli", role=Role.ADMIN)

    @classmethod
    def from_principal(cls, principal: Principal) -> Actor:
        return cls(label=principal.email, role=principal.role, user_id=principal.user_id, team_ids=principal.team_ids)

    @property
    def sees_whole_tenant(self) -> bool:
        return self.role in TENANT_WIDE

    def require_write(self) -> None:
        if self.role is Role.AUDITOR:
            raise Forbidden(READ_ONLY)


def actor_for_user(session: Session, *, tenant_id: int, user_id: int) -> Actor:
    """The actor for an active user of this tenant; an unknown stored role gets a manager of no team."""
    user = session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id or not user.is_active:
        raise NotFound("usuário não encontrado")
    try:
        role = Role(user.role)
    except ValueError:
        return Actor(label=user.email, role=Role.MANAGER, user_id=user.id)
    teams = session.execute(
        select(ManagedTeam.team_id).where(ManagedTeam.tenant_id == tenant_id, ManagedTeam.user_id == user.id)
    ).scalars()
    return Actor(label=user.email, role=role, user_id=user.id, team_ids=frozenset(teams))


def alert_scope(actor: Actor, *, tenant_id: int) -> ColumnElement[bool]:
    """WHERE clause: the alerts of `tenant_id` this actor may see."""
    clause = Alert.tenant_id == tenant_id
    if actor.sees_whole_tenant:
        return clause & true()
    if actor.role is Role.MANAGER and actor.team_ids:
        lines = select(Line.id).where(Line.tenant_id == tenant_id, Line.team_id.in_(sorted(actor.team_ids)))
        return clause & Alert.line_id.in_(lines)
    return clause & false()  # deny by default
