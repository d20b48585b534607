"""Threshold rules at the alerting stage: every hit is recorded, an alert comes at the N-th in a window.

A rule with `threshold: {count, window, per}` counts its hits per subject: the conversation, or
the employee (every line they hold; a line without an employee counts alone).
1. On PostgreSQL, take a transaction advisory lock per rule and subject (sorted, so two workers
   never deadlock): the second worker then reads the first one's hits instead of counting
   without them. SQLite writers are already serialised (`BEGIN IMMEDIATE`).
2. Read the rule's recorded hits of those subjects from one window before the earliest new hit
   to one window after the latest: the pending ones (no alert yet, `alert_id` NULL) and the open
   threshold alerts of the same rule and subject (their span, from the alert row).
3. `policies.threshold.plan_threshold` decides: a new hit joins an open alert whose window it
   fits, or waits; a stretch of `count` waiting hits within one window opens an alert that takes
   them all, on the conversation of the hit that made the count.
4. Insert the new hits (attached or pending), attach the pending hits an alert took, and move
   the counters with the same statement as every other alert.
A threshold alert's `window_key` is `t:<first message id>:<rule and subject digest>`, which
never collides with the day keys of ordinary alerts (`2024-03-01`, `2024-03-01~2`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

from sqlalchemy import ColumnElement, and_, or_, select, text, update
from sqlalchemy.orm import Session

from atalaia.archive.sanitize import clip
from atalaia.db.models import Alert, AlertHit, Line, Message
from atalaia.db.upsert import insert_ignore
from atalaia.domain.case import CaseStatus
from atalaia.domain.policy import Hit, Severity, Threshold, ThresholdPer
from atalaia.policies.threshold import OpenAlert, Timed, plan_threshold
from atalaia.services.compliance.grouping import (
    ALERT_HITS,
    ALERTS,
    SEVERITY_RANK,
    MessageFacts,
    Recorded,
    bump_alerts,
    hit_row,
)
from atalaia.services.compliance.policies import PolicySet

KEY_PREFIX: Final = "t:"
Subject = tuple[str, int]  # ("conversation" | "employee" | "line", id)
Key = tuple[str, int]  # ("new", position in this batch) | ("old", alert_hits.id)


class _Member(NamedTuple):
    """A hit as an alert needs it, recorded or new: where it was, when, how serious."""

    at: datetime
    severity: str
    message_id: int
    conversation_id: int
    line_id: int
    team_id: int | None
    employee_id: int | None


@dataclass(slots=True)
class _Group:
    """The new hits of one rule and subject, and what the database already holds for them."""

    policy: str
    rule: str
    threshold: Threshold
    subject: Subject
    new: list[tuple[MessageFacts, Hit]]
    pending: list[Timed[Key]]
    old: dict[int, _Member]  # alert_hits.id -> the pending hit
    open_alerts: dict[int, OpenAlert]


def subject_of(message: MessageFacts, per: ThresholdPer) -> Subject:
    if per is ThresholdPer.EMPLOYEE:
        return ("employee", message.employee_id) if message.employee_id is not None else ("line", message.line_id)
    return ("conversation", message.conversation_id)


def record_threshold_hits(
    session: Session,
    *,
    tenant_id: int,
    items: list[tuple[MessageFacts, Hit]],
    thresholds: dict[tuple[str, str], Threshold],
    policy_set: PolicySet,
) -> Recorded:
    """Record new hits of threshold rules, opening and filling alerts as counts are reached; uncommitted."""
    groups: dict[tuple[str, str, Subject], _Group] = {}
    for message, hit in items:
        threshold = thresholds[hit.policy, hit.rule]
        subject = subject_of(message, threshold.per)
        key = (hit.policy, hit.rule, subject)
        if key not in groups:
            groups[key] = _Group(hit.policy, hit.rule, threshold, subject, [], [], {}, {})
        groups[key].new.append((message, hit))
    if not groups:
        return Recorded()
    _lock(session, tenant_id=tenant_id, groups=list(groups.values()))
    _load_known(session, tenant_id=tenant_id, groups=groups)
    return _apply(session, tenant_id=tenant_id, groups=list(groups.values()), policy_set=policy_set)


def _digest(group: _Group) -> str:
    kind, ident = group.subject
    return hashlib.sha256(f"{group.rule}\0{kind}\0{ident}".encode()).hexdigest()[:12]


def _lock(session: Session, *, tenant_id: int, groups: list[_Group]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = set()
    for group in groups:
        seed = f"threshold\0{tenant_id}\0{group.policy}\0{group.rule}\0{group.subject[0]}\0{group.subject[1]}"
        keys.add(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big", signed=True))
    for key in sorted(keys):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _load_known(session: Session, *, tenant_id: int, groups: dict[tuple[str, str, Subject], _Group]) -> None:
    """Fill each group's pending hits and open alerts, one query per rule."""
    by_rule: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    for group in groups.values():
        by_rule[group.policy, group.rule].append(group)
    for (policy, rule), members in by_rule.items():
        window = max(g.threshold.window for g in members)
        times = [message.sent_at for g in members for message, _ in g.new]
        low, high = min(times) - window, max(times) + window
        rows = session.execute(_known_query(tenant_id, policy, rule, [g.subject for g in members], low, high)).all()
        per = members[0].threshold.per  # a rule has one threshold
        digests = {g.subject: f":{_digest(g)}" for g in members}
        for row in rows:
            found = groups.get((policy, rule, _row_subject(row, per)))
            if found is not None:
                _remember(found, row, digests[found.subject])


def _known_query(tenant_id: int, policy: str, rule: str, subjects: list[Subject], low: datetime, high: datetime) -> Any:
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, ident in subjects:
        ids[kind].append(ident)
    where: list[ColumnElement[bool]] = []
    if ids["conversation"]:
        where.append(Message.conversation_id.in_(ids["conversation"]))
    if ids["employee"]:
        where.append(Line.employee_id.in_(ids["employee"]))
    if ids["line"]:
        where.append(and_(Message.line_id.in_(ids["line"]), Line.employee_id.is_(None)))
    return (
        select(
            AlertHit.id,
            AlertHit.alert_id,
            AlertHit.at,
            AlertHit.severity,
            AlertHit.message_id,
            Message.conversation_id,
            Message.line_id,
            Line.team_id,
            Line.employee_id,
            Alert.status,
            Alert.window_key,
            Alert.first_hit_at,
            Alert.last_hit_at,
        )
        .join(Message, Message.id == AlertHit.message_id)
        .join(Line, Line.id == Message.line_id)
        .outerjoin(Alert, Alert.id == AlertHit.alert_id)
        .where(
            AlertHit.tenant_id == tenant_id,
            AlertHit.policy == policy,
            AlertHit.rule == rule,
            AlertHit.at >= low,
            AlertHit.at <= high,
            or_(*where),
        )
        .order_by(AlertHit.at, AlertHit.id)
    )


def _row_subject(row: Any, per: ThresholdPer) -> Subject:
    if per is ThresholdPer.EMPLOYEE:
        return ("employee", row.employee_id) if row.employee_id is not None else ("line", row.line_id)
    return ("conversation", row.conversation_id)


def _remember(group: _Group, row: Any, digest: str) -> None:
    if row.alert_id is None:
        group.old[row.id] = _Member(
            row.at, row.severity, row.message_id, row.conversation_id, row.line_id, row.team_id, row.employee_id
        )
        group.pending.append(Timed(row.at, ("old", row.id)))
        return
    threshold_alert = row.window_key.startswith(KEY_PREFIX) and row.window_key.partition("~")[0].endswith(digest)
    if threshold_alert and row.status != CaseStatus.RESOLVED.value and row.alert_id not in group.open_alerts:
        group.open_alerts[row.alert_id] = OpenAlert(row.alert_id, row.first_hit_at, row.last_hit_at)


def _apply(session: Session, *, tenant_id: int, groups: list[_Group], policy_set: PolicySet) -> Recorded:
    now = datetime.now(UTC)
    new_rows: list[dict[str, Any]] = []
    attach: dict[int, list[int]] = defaultdict(list)  # alert id -> pending alert_hits ids it takes
    created: list[int] = []
    for group in groups:
        plan = plan_threshold(
            group.threshold,
            new=[Timed(message.sent_at, ("new", i)) for i, (message, _) in enumerate(group.new)],
            pending=group.pending,
            open_alerts=list(group.open_alerts.values()),
        )
        target: dict[Key, int] = dict(plan.joined)
        for fired in plan.fired:
            members = [_member(group, key) for key in fired.members]
            alert_id, is_new = _open_alert(
                session, tenant_id=tenant_id, group=group, members=members, trigger=_member(group, fired.trigger),
                policy_set=policy_set, now=now,
            )  # fmt: skip
            if is_new:
                created.append(alert_id)
            for key in fired.members:
                target[key] = alert_id
        for i, (message, hit) in enumerate(group.new):
            new_rows.append(hit_row(tenant_id, target.get(("new", i)), message, hit))
        for (kind, ident), alert in target.items():
            if kind == "old":
                attach[alert].append(ident)
    inserted = insert_ignore(
        session,
        ALERT_HITS,
        new_rows,
        conflict_columns=["tenant_id", "message_id", "policy", "rule", "source", "start"],
        returning=("alert_id", "at", "severity"),
    )
    per_alert: dict[int, list[Any]] = defaultdict(list)
    for row in inserted:
        if row.alert_id is not None:
            per_alert[row.alert_id].append(row)
    for alert, ids in attach.items():
        per_alert[alert].extend(_attach(session, alert_id=alert, hit_ids=ids))
    bump_alerts(session, per_alert=per_alert, now=now)
    return Recorded(
        hits=len(inserted),
        new_alerts=created,
        updated_alerts=len(set(per_alert) - set(created)),
        pending=sum(row.alert_id is None for row in inserted),
    )


def _attach(session: Session, *, alert_id: int, hit_ids: list[int]) -> list[Any]:
    """Give pending hits to an alert; only those still pending count (another writer may have taken some)."""
    statement = (
        update(ALERT_HITS)
        .where(ALERT_HITS.c.id.in_(hit_ids), ALERT_HITS.c.alert_id.is_(None))
        .values(alert_id=alert_id)
        .returning(ALERT_HITS.c.at, ALERT_HITS.c.severity)
    )
    return list(session.execute(statement).all())


def _member(group: _Group, key: Key) -> _Member:
    kind, ident = key
    if kind == "old":
        return group.old[ident]
    message, hit = group.new[ident]
    return _Member(
        message.sent_at,
        hit.severity.value,
        message.message_id,
        message.conversation_id,
        message.line_id,
        message.team_id,
        message.employee_id,
    )


def _open_alert(
    session: Session,
    *,
    tenant_id: int,
    group: _Group,
    members: list[_Member],
    trigger: _Member,
    policy_set: PolicySet,
    now: datetime,
) -> tuple[int, bool]:
    """Insert the alert a count opened (or join the one a concurrent writer opened); (id, opened here)."""
    window_key = _free_key(
        session,
        tenant_id=tenant_id,
        conversation_id=trigger.conversation_id,
        policy=group.policy,
        base=f"{KEY_PREFIX}{members[0].message_id}:{_digest(group)}",
    )
    policy = policy_set.policies.get(group.policy)
    category = policy.category.value if policy else "risk"
    top = max((Severity(m.severity) for m in members), key=SEVERITY_RANK.__getitem__)
    row = {
        "tenant_id": tenant_id,
        "conversation_id": trigger.conversation_id,
        "line_id": trigger.line_id,
        "team_id": trigger.team_id,
        "employee_id": trigger.employee_id,
        "policy_version_id": policy_set.version_id,
        "policy": group.policy,
        "rule": group.rule,
        "title": clip(policy.name if policy else group.policy, 200) or group.policy,
        "severity": top.value,
        "category": category,
        "window_key": window_key,
        "first_hit_at": trigger.at,  # widened to every hit as they are counted in
        "last_hit_at": trigger.at,
        "hit_count": 0,
        "status": CaseStatus.OPEN.value,
        "resolution": None,
        "assignee_user_id": None,
        "escalated": False,
        "created_at": now,
        "updated_at": now,
        "resolved_at": None,
    }
    inserted = insert_ignore(
        session, ALERTS, [row], conflict_columns=["tenant_id", "conversation_id", "policy", "window_key"]
    )
    if inserted:
        return int(inserted[0].id), True
    existing = session.execute(  # a concurrent writer opened it (PostgreSQL without the lock's protection)
        select(Alert.id).where(
            Alert.tenant_id == tenant_id,
            Alert.conversation_id == trigger.conversation_id,
            Alert.policy == group.policy,
            Alert.window_key == row["window_key"],
        )
    ).scalar_one()
    return int(existing), False


def _free_key(session: Session, *, tenant_id: int, conversation_id: int, policy: str, base: str) -> str:
    """`base`, or `base~N` when alerts with that key exist already (all resolved: open ones take hits)."""
    taken = session.execute(
        select(Alert.window_key).where(
            Alert.tenant_id == tenant_id,
            Alert.conversation_id == conversation_id,
            Alert.policy == policy,
            or_(Alert.window_key == base, Alert.window_key.like(f"{base}~%")),
        )
    ).scalars()
    count = sum(1 for _ in taken)
    return f"{base}~{count + 1}" if count else base
