"""How often each rule is right: confirmed / (confirmed + false_positive), from resolved alerts.

An alert groups a policy's hits, possibly of several rules; each rule with a hit in a resolved
alert is credited (or charged) with that resolution once, however many hits it had there: one
reviewer decision is one data point. Open and in-review alerts are counted apart, unresolved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from atalaia.db.models import Alert, AlertHit
from atalaia.domain.case import CaseStatus, Resolution
from atalaia.services.compliance.actor import Actor, alert_scope

_RESOLUTIONS: Final = frozenset(r.value for r in Resolution)


@dataclass(frozen=True, slots=True)
class RulePrecision:
    policy: str
    rule: str
    confirmed: int
    false_positive: int
    unresolved: int

    @property
    def precision(self) -> float | None:
        """None until some alert with this rule has been resolved."""
        decided = self.confirmed + self.false_positive
        return self.confirmed / decided if decided else None

    def as_json(self) -> dict[str, Any]:
        precision = self.precision
        return {
            "policy": self.policy,
            "rule": self.rule,
            "confirmed": self.confirmed,
            "false_positive": self.false_positive,
            "unresolved": self.unresolved,
            "precision": None if precision is None else round(precision, 4),
        }


def rule_precision(session: Session, *, tenant_id: int, actor: Actor) -> list[RulePrecision]:
    """One row per (policy, rule) that has raised anything the actor may see, sorted by policy and rule."""
    rows = session.execute(
        select(AlertHit.policy, AlertHit.rule, Alert.status, Alert.resolution, func.count(distinct(Alert.id)))
        .join(Alert, Alert.id == AlertHit.alert_id)
        .where(alert_scope(actor, tenant_id=tenant_id))
        .group_by(AlertHit.policy, AlertHit.rule, Alert.status, Alert.resolution)
    ).all()
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for policy, rule, status, resolution, alerts in rows:
        if status == CaseStatus.RESOLVED.value and resolution is not None and resolution in _RESOLUTIONS:
            counts[(policy, rule)][resolution] += alerts
        else:
            counts[(policy, rule)]["unresolved"] += alerts
    return [
        RulePrecision(
            policy=policy,
            rule=rule,
            confirmed=c[Resolution.CONFIRMED.value],
            false_positive=c[Resolution.FALSE_POSITIVE.value],
            unresolved=c["unresolved"],
        )
        for (policy, rule), c in sorted(counts.items())
    ]
