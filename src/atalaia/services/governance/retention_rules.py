"""Retention rules: how long a tenant, a team or a line keeps each kind of record.

A rule is (scope, kind, days). Scopes: the whole tenant, a team (its lines now), a line. Kinds:
`all`, `media` (attachments: their rows, extracted text and bytes; the message stays), or one
message kind (`text`, `image`, `audio`...: the whole message). For each line and kind the most
specific scope with a rule wins (line, then team, then tenant) and, within it, a rule for that
kind beats `all`. No rule: kept for ever. "Keep everything 5 years, media 2 years" is
`all 5y` and `media 2y` on the tenant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Line, RetentionRule, Team
from atalaia.domain.enums import MessageKind
from atalaia.errors import InvalidInput, NotFound
from atalaia.search import resolve_line
from atalaia.services import audit

ALL: Final = "all"
MEDIA: Final = "media"
MESSAGE_KINDS: Final = tuple(kind.value for kind in MessageKind)
KINDS: Final = (ALL, MEDIA, *MESSAGE_KINDS)
MAX_DAYS: Final = 100 * 366
_KEEP = re.compile(r"^\s*(\d{1,5})\s*([dwmy]?)\s*$", re.IGNORECASE)


def parse_keep(value: str) -> int:
    """Days for `90d`, `6w`, `24m`, `5y` or a bare number of days. Months count 31 days and
    years 365 plus their possible leap days, so a rule never purges before the calendar says."""
    match = _KEEP.match(value or "")
    if match is None:
        raise InvalidInput(f"Prazo inválido: {value!r}. Use dias, semanas, meses ou anos, como 90d, 24m ou 5y.")
    amount, unit = int(match.group(1)), match.group(2).lower() or "d"
    days = {"d": amount, "w": amount * 7, "m": amount * 31, "y": amount * 365 + amount // 4 + 1}[unit]
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput("O prazo de retenção deve ficar entre 1 dia e 100 anos.")
    return days


def set_rule(
    session: Session,
    *,
    tenant_id: int,
    keep_days: int,
    kind: str = ALL,
    line: str | None = None,
    team: str | None = None,
    actor: str,
    now: datetime | None = None,
) -> RetentionRule:
    """Create the rule for this scope and kind, or change its days (audited as `retention_rule_set`)."""
    now = now or datetime.now(UTC)
    kind = (kind or ALL).strip().lower()
    if kind not in KINDS:
        raise InvalidInput(f"Tipo desconhecido: {kind!r}. Use {', '.join(KINDS)}.")
    if line and team:
        raise InvalidInput("Uma regra vale para uma linha ou para uma equipe, não para as duas.")
    if not 1 <= keep_days <= MAX_DAYS:
        raise InvalidInput("O prazo de retenção deve ficar entre 1 dia e 100 anos.")
    line_id = resolve_line(session, tenant_id=tenant_id, value=line) if line else None
    team_id = _team_id(session, tenant_id, team) if team else None
    rule = session.execute(
        select(RetentionRule).where(
            RetentionRule.tenant_id == tenant_id,
            RetentionRule.kind == kind,
            RetentionRule.line_id.is_(None) if line_id is None else RetentionRule.line_id == line_id,
            RetentionRule.team_id.is_(None) if team_id is None else RetentionRule.team_id == team_id,
        )
    ).scalar_one_or_none()
    before = rule.keep_days if rule else None
    if rule is None:
        rule = RetentionRule(tenant_id=tenant_id, line_id=line_id, team_id=team_id, kind=kind)
        session.add(rule)
    rule.keep_days, rule.created_at, rule.created_by = keep_days, now, actor
    session.flush()
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="retention_rule_set",
        object_type="retention_rule",
        object_id=rule.id,
        detail={"line_id": line_id, "team_id": team_id, "kind": kind, "keep_days": keep_days, "before": before},
    )
    return rule


def _team_id(session: Session, tenant_id: int, name: str) -> int:
    found = session.execute(
        select(Team.id).where(Team.tenant_id == tenant_id, Team.name == name.strip())
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"equipe não encontrada: {name!r}")
    return found


def remove_rule(session: Session, *, tenant_id: int, rule_id: int, actor: str) -> None:
    """Delete a rule (audited as `retention_rule_removed`); what it covered falls to the next scope."""
    rule = session.execute(
        select(RetentionRule).where(RetentionRule.tenant_id == tenant_id, RetentionRule.id == rule_id)
    ).scalar_one_or_none()
    if rule is None:
        raise NotFound(f"regra de retenção não encontrada: {rule_id}")
    detail = {"line_id": rule.line_id, "team_id": rule.team_id, "kind": rule.kind, "keep_days": rule.keep_days}
    session.delete(rule)
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        action="retention_rule_removed",
        object_type="retention_rule",
        object_id=rule_id,
        detail=detail,
    )


def list_rules(session: Session, *, tenant_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(RetentionRule, Line.number, Team.name)
        .outerjoin(Line, Line.id == RetentionRule.line_id)
        .outerjoin(Team, Team.id == RetentionRule.team_id)
        .where(RetentionRule.tenant_id == tenant_id)
        .order_by(RetentionRule.id)
    ).all()
    return [
        {
            "id": rule.id,
            "scope": "line" if rule.line_id else "team" if rule.team_id else "tenant",
            "line": number,
            "team": team,
            "kind": rule.kind,
            "keep_days": rule.keep_days,
            "set_at": rule.created_at.isoformat(),
            "set_by": rule.created_by,
        }
        for rule, number, team in rows
    ]


@dataclass(frozen=True, slots=True)
class LinePlan:
    """What expires on one line at one moment: per message kind, the instant before which a
    message goes; and the instant before which attachments alone go (a `media` rule)."""

    line_id: int
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    media_cutoff: datetime | None = None

    def by_cutoff(self) -> dict[datetime, list[str]]:
        grouped: dict[datetime, list[str]] = {}
        for kind, cutoff in sorted(self.cutoffs.items()):
            grouped.setdefault(cutoff, []).append(kind)
        return grouped


def plans(session: Session, *, tenant_id: int, now: datetime) -> list[LinePlan]:
    """The expiry plan of every line of the tenant with at least one rule in force."""
    rules = list(session.execute(select(RetentionRule).where(RetentionRule.tenant_id == tenant_id)).scalars())
    if not rules:
        return []
    result = []
    for line_id, team_id in session.execute(
        select(Line.id, Line.team_id).where(Line.tenant_id == tenant_id).order_by(Line.id)
    ):
        applicable = [r for r in rules if _rank(r, line_id, team_id) > 0]
        cutoffs = {}
        for kind in MESSAGE_KINDS:
            days = _winner(applicable, line_id, team_id, kind)
            if days is not None:
                cutoffs[kind] = now - timedelta(days=days)
        media = _winner(applicable, line_id, team_id, MEDIA, media_only=True)
        plan = LinePlan(line_id, cutoffs, now - timedelta(days=media) if media is not None else None)
        if plan.cutoffs or plan.media_cutoff:
            result.append(plan)
    return result


def _rank(rule: RetentionRule, line_id: int, team_id: int | None) -> int:
    if rule.line_id is not None:
        return 3 if rule.line_id == line_id else 0
    if rule.team_id is not None:
        return 2 if rule.team_id == team_id else 0
    return 1


def _winner(
    rules: list[RetentionRule], line_id: int, team_id: int | None, kind: str, *, media_only: bool = False
) -> int | None:
    """Days of the most specific rule for `kind` (a kind rule beating `all` within a scope).

    For `media_only`, None when the winner is an `all` rule: attachments then go with their
    message, never before it.
    """
    candidates = [r for r in rules if r.kind in (kind, ALL)]
    if not candidates:
        return None
    best = max(candidates, key=lambda r: (_rank(r, line_id, team_id), r.kind == kind))
    if media_only and best.kind != kind:
        return None
    return best.keep_days
