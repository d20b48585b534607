"""Hits into alerts: one alert per conversation, policy and local day; counts that survive concurrency.

1. Find the open alert of every group in one query; open the missing ones in one INSERT ... ON
   CONFLICT DO NOTHING on the group's unique key, joining whatever a concurrent transaction
   opened first. A group whose alert was resolved opens a new one (`2024-03-01~2`): a decision
   stands as it was taken, on the evidence it saw.
2. Insert the hits, unique per message, policy, rule and place (a rescan adds nothing).
3. Move each alert's counters by what was actually inserted, in one executemany
   (`hit_count = hit_count + n`), so two workers adding to one alert never lose a count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Integer, Table, bindparam, case, or_, select
from sqlalchemy.orm import Session

from atalaia.archive.sanitize import clip
from atalaia.db.models import Alert, AlertHit
from atalaia.db.types import UTCDateTime
from atalaia.db.upsert import insert_ignore
from atalaia.domain.case import CaseStatus
from atalaia.domain.policy import Hit, HitSource, ScanInput, Severity
from atalaia.policies.redact import redact_match
from atalaia.services.compliance.policies import PolicySet

SEVERITY_RANK: Final = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
ALERTS: Table = Alert.__table__  # type: ignore[assignment]
ALERT_HITS: Table = AlertHit.__table__  # type: ignore[assignment]

GroupKey = tuple[int, str, str]  # conversation, policy, window key (local day)


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """One stored message as the scan saw it."""

    message_id: int
    conversation_id: int
    line_id: int
    team_id: int | None
    employee_id: int | None
    sent_at: datetime
    day: str  # local date on the line, the alert window
    inputs: tuple[ScanInput, ...]  # the message, then one per further attachment


@dataclass(slots=True)
class Recorded:
    hits: int = 0
    new_alerts: list[int] = field(default_factory=list)
    updated_alerts: int = 0
    pending: int = 0  # of `hits`: below their rule's threshold, attached to no alert yet


def record_hits(
    session: Session, *, tenant_id: int, groups: dict[GroupKey, list[tuple[MessageFacts, Hit]]], policy_set: PolicySet
) -> Recorded:
    """Store new hits into their groups' alerts, opening alerts as needed; uncommitted."""
    if not groups:
        return Recorded()
    now = datetime.now(UTC)
    alert_ids, created = _open_alerts(session, tenant_id=tenant_id, groups=groups, policy_set=policy_set, now=now)
    hit_rows = [
        hit_row(tenant_id, alert_ids[key], message, hit) for key, members in groups.items() for message, hit in members
    ]
    inserted = insert_ignore(
        session,
        ALERT_HITS,
        hit_rows,
        conflict_columns=["tenant_id", "message_id", "policy", "rule", "source", "start"],
        returning=("alert_id", "at", "severity"),
    )
    per_alert: dict[int, list[Any]] = defaultdict(list)
    for row in inserted:
        per_alert[row.alert_id].append(row)
    bump_alerts(session, per_alert=per_alert, now=now)
    return Recorded(hits=len(inserted), new_alerts=created, updated_alerts=len(set(per_alert) - set(created)))


def _open_alerts(
    session: Session,
    *,
    tenant_id: int,
    groups: dict[GroupKey, list[tuple[MessageFacts, Hit]]],
    policy_set: PolicySet,
    now: datetime,
) -> tuple[dict[GroupKey, int], list[int]]:
    """The open alert of every group, the missing ones opened in one INSERT; (alert id per group, new ids)."""
    days = sorted({day for _, _, day in groups})
    existing = session.execute(
        select(Alert.id, Alert.conversation_id, Alert.policy, Alert.window_key, Alert.status)
        .where(
            Alert.tenant_id == tenant_id,
            Alert.conversation_id.in_({conversation for conversation, _, _ in groups}),
            Alert.policy.in_({policy for _, policy, _ in groups}),
            # Exact patterns, not a range: PostgreSQL's locale collations do not sort '~' after digits.
            or_(Alert.window_key.in_(days), *(Alert.window_key.like(f"{day}~%") for day in days)),
        )
        .order_by(Alert.id)
    ).all()
    earlier: dict[GroupKey, int] = defaultdict(int)  # alerts each group already had
    ids: dict[GroupKey, int] = {}
    for row in existing:
        key = (row.conversation_id, row.policy, row.window_key.partition("~")[0])
        if key in groups:
            earlier[key] += 1
            if row.status != CaseStatus.RESOLVED.value:
                ids[key] = row.id
    missing = {key: f"{key[2]}~{earlier[key] + 1}" if earlier[key] else key[2] for key in groups if key not in ids}
    if not missing:
        return ids, []
    rows = [_alert_row(tenant_id, key, window, groups[key], policy_set, now) for key, window in missing.items()]
    inserted = insert_ignore(
        session,
        ALERTS,
        rows,
        conflict_columns=["tenant_id", "conversation_id", "policy", "window_key"],
        returning=("id", "conversation_id", "policy", "window_key"),
    )
    opened = {(r.conversation_id, r.policy, r.window_key): int(r.id) for r in inserted}
    created: list[int] = []
    for key, window in missing.items():
        alert_id = opened.get((key[0], key[1], window))
        if alert_id is None:  # another transaction opened it between our read and our insert: join it
            alert_id = session.execute(
                select(Alert.id).where(
                    Alert.tenant_id == tenant_id,
                    Alert.conversation_id == key[0],
                    Alert.policy == key[1],
                    Alert.window_key == window,
                )
            ).scalar_one()
        else:
            created.append(alert_id)
        ids[key] = alert_id
    return ids, created


def _alert_row(
    tenant_id: int,
    key: GroupKey,
    window_key: str,
    members: list[tuple[MessageFacts, Hit]],
    policy_set: PolicySet,
    now: datetime,
) -> dict[str, Any]:
    conversation_id, policy_id, _day = key
    first_message, first_hit = min(members, key=lambda pair: (pair[0].sent_at, pair[0].message_id))
    policy = policy_set.policies.get(policy_id)
    return {
        "tenant_id": tenant_id,
        "conversation_id": conversation_id,
        "line_id": first_message.line_id,
        "team_id": first_message.team_id,
        "employee_id": first_message.employee_id,
        "policy_version_id": policy_set.version_id,
        "policy": policy_id,
        "rule": first_hit.rule,
        "title": clip(policy.name if policy else policy_id, 200) or policy_id,
        "severity": first_hit.severity.value,  # raised to the highest of its hits below
        "category": first_hit.category.value,
        "window_key": window_key,
        "first_hit_at": first_message.sent_at,
        "last_hit_at": first_message.sent_at,
        "hit_count": 0,  # counted as hits are inserted
        "status": CaseStatus.OPEN.value,
        "resolution": None,
        "assignee_user_id": None,
        "escalated": False,
        "created_at": now,
        "updated_at": now,
        "resolved_at": None,
    }


def hit_row(tenant_id: int, alert_id: int | None, message: MessageFacts, hit: Hit) -> dict[str, Any]:
    """An `alert_hits` row; `alert_id` None: a hit below its rule's threshold, no alert yet."""
    return {
        "tenant_id": tenant_id,
        "alert_id": alert_id,
        "message_id": message.message_id,
        "policy": hit.policy,
        "rule": hit.rule,
        "detector": hit.detector.value,
        "severity": hit.severity.value,
        # A time is judged as wall-clock time on the line; the offset the engine prints is the rule's zone's.
        "match": hit.match[:19]
        if hit.source is HitSource.TIMESTAMP
        else clip(redact_match(hit.detector, hit.match), 200),
        "start": hit.start,
        "end": hit.end,
        "source": hit.source.value,
        "detail": clip(hit.detail, 300),
        "at": message.sent_at,
    }


def bump_alerts(session: Session, *, per_alert: dict[int, list[Any]], now: datetime) -> None:
    """Add newly inserted hits to their alerts, one executemany: count, time span, highest severity."""
    if not per_alert:
        return
    params = []
    for alert_id, rows in sorted(per_alert.items()):
        top = max((Severity(r.severity) for r in rows), key=SEVERITY_RANK.__getitem__)
        params.append(
            {
                "alert": alert_id,
                "n": len(rows),
                "first": min(r.at for r in rows),
                "last": max(r.at for r in rows),
                "top": top.value,
                "top_rank": SEVERITY_RANK[top],
                "now": now,
            }
        )
    session.execute(_BUMP, params)


def _bump_statement() -> Any:
    table = ALERTS
    first = bindparam("first", type_=UTCDateTime())
    last = bindparam("last", type_=UTCDateTime())
    rank = case({s.value: r for s, r in SEVERITY_RANK.items()}, value=table.c.severity, else_=-1)
    return (
        table.update()
        .where(table.c.id == bindparam("alert"))
        .values(
            hit_count=table.c.hit_count + bindparam("n", type_=Integer()),
            first_hit_at=case((table.c.first_hit_at > first, first), else_=table.c.first_hit_at),
            last_hit_at=case((table.c.last_hit_at < last, last), else_=table.c.last_hit_at),
            severity=case((rank < bindparam("top_rank", type_=Integer()), bindparam("top")), else_=table.c.severity),
            updated_at=bindparam("now", type_=UTCDateTime()),
        )
    )


_BUMP: Final = _bump_statement()
