"""Analytics as a console or API user may see them: a manager's figures cover only their teams' lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.analytics import Period, Scope, parse_period, resolve_scope
from atalaia.db.models import Line, Tenant
from atalaia.services.access import Principal


def principal_scope(
    session: Session, principal: Principal, *, team: str | None, line: str | None, employee: str | None
) -> Scope:
    """The scope asked for, narrowed to the caller's lines (naming another team's line yields zeros,
    not an error that would confirm it exists)."""
    scope = resolve_scope(session, tenant_id=principal.tenant_id, team=team, line=line, employee=employee)
    if principal.sees_whole_tenant:
        return scope
    mine = frozenset(
        session.execute(
            select(Line.id).where(Line.tenant_id == principal.tenant_id, Line.team_id.in_(principal.team_ids))
        ).scalars()
    )
    spans = tuple(s for s in scope.spans if s.line_id in mine) if scope.spans is not None else None
    return replace(scope, line_ids=mine if scope.line_ids is None else scope.line_ids & mine, spans=spans)


def scope_period(session: Session, scope: Scope, *, date_from: str | None, date_to: str | None) -> Period:
    """The period in the line's zone when one line is asked for, else the tenant's."""
    tenant = session.get(Tenant, scope.tenant_id)
    zone = scope.line_timezone or (tenant.timezone if tenant else "America/Sao_Paulo")
    return parse_period(date_from, date_to, timezone=zone, now=datetime.now(UTC))
