"""A named team in a report request must be one the caller may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Team
from atalaia.errors import NotFound
from atalaia.services.access import Principal


def require_own_team(session: Session, principal: Principal, team: str | None) -> None:
    """For the PDF, which carries the team's name in its title: a manager asking for a team not theirs
    gets the same 404 as an unknown team, not a document of zeros (nor a hint that the team exists)."""
    if team is None or principal.sees_whole_tenant:
        return
    names = session.execute(
        select(Team.name).where(Team.tenant_id == principal.tenant_id, Team.id.in_(principal.team_ids))
    ).scalars()
    wanted = team.strip().casefold()
    if not any(name.casefold() == wanted for name in names):
        raise NotFound(f"equipe não encontrada: {team!r}")
