"""Alerts raised in the period: by policy, by severity, by status and how the resolved ones ended.

An alert belongs to the period of its first hit and to the scope of its line at that moment,
the same (line, moment) rule as messages, so an employee's alerts are those of their time on
the line.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atalaia.analytics.period import Period
from atalaia.analytics.scope import Scope
from atalaia.db.models import Alert
from atalaia.domain.policy import Severity

STATUSES = ("open", "in_review", "resolved")
RESOLUTIONS = ("confirmed", "false_positive")


def alert_summary(session: Session, scope: Scope, period: Period) -> dict[str, Any]:
    rows = session.execute(
        select(Alert.policy, Alert.severity, Alert.status, Alert.resolution, func.count())
        .where(
            Alert.tenant_id == scope.tenant_id,
            scope.clause(Alert.line_id, Alert.first_hit_at),
            Alert.first_hit_at >= period.start,
            Alert.first_hit_at < period.end,
        )
        .group_by(Alert.policy, Alert.severity, Alert.status, Alert.resolution)
    ).all()
    by_policy: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    resolutions: Counter[str] = Counter()
    for policy, severity, status, resolution, count in rows:
        by_policy[policy] += count
        by_severity[severity] += count
        by_status[status] += count
        if resolution:
            resolutions[resolution] += count
    judged = resolutions["confirmed"] + resolutions["false_positive"]
    return {
        "by_policy": dict(sorted(by_policy.items())),
        "by_severity": {s.value: by_severity[s.value] for s in Severity},
        "total": sum(by_status.values()),
        "by_status": {s: by_status[s] for s in STATUSES},
        "resolutions": {r: resolutions[r] for r in RESOLUTIONS},
        "false_positive_rate": round(resolutions["false_positive"] / judged, 4) if judged else None,
    }
