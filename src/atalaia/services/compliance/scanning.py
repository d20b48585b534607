"""Scan archived messages with the tenant's active policies and group the hits into alerts.

Ingestion calls `scan_new_messages` inside its archiving transaction with the ids of the
messages it just stored, so a message and its alerts commit together or not at all.
1. No active policy set: return after one indexed query (nothing is loaded or compiled).
2. Load what the engine needs per message in a handful of queries per chunk: text, direction,
   time, line, teams (the line's and its employee's), whether the other party is internal
   (flagged, or another corporate line of the tenant) and the attachments' names and types.
3. Scan; drop hits already recorded (a retried batch, a backfill): `alert_hits` is unique per
   message, policy, rule and place.
4. Group the hits per conversation, policy and local day of the line, and record them
   (`grouping.py`): a long chat full of CPFs is one alert with a hit count, not a flood. Hits of
   a rule with a threshold are counted per conversation or employee instead (`thresholds.py`):
   recorded without an alert until `count` of them fall within the window.
5. Each new alert enqueues `compliance.notify` in the same transaction (durable with the alert).
Text extracted from attachments arrives later, from the `attachment.extract` job, which calls
`scan_attachment_texts`: the same steps, keeping only the hits in that text. A backfill scans
extracted text along with everything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import (
    AlertHit,
    Attachment,
    AttachmentText,
    Contact,
    Conversation,
    Employee,
    Line,
    Message,
    Team,
)
from atalaia.domain.enums import Direction, MessageKind
from atalaia.domain.policy import ContactKind, Hit, HitSource, ScanAttachment, ScanInput
from atalaia.jobs.queue import enqueue
from atalaia.policies.threshold import rule_thresholds
from atalaia.services.compliance.grouping import GroupKey, MessageFacts, Recorded, record_hits
from atalaia.services.compliance.policies import PolicySet, active_policy_set
from atalaia.services.compliance.thresholds import record_threshold_hits

NOTIFY_KIND: Final = "compliance.notify"
CHUNK: Final = 500  # messages per round of queries (bounds the IN lists)
MAX_HITS_PER_MESSAGE: Final = 100  # a hostile message of 10,000 CPFs is one alert with 100 hits kept
DEFAULT_ZONE: Final = "America/Sao_Paulo"
EXTRACTED: Final = "done"  # attachment_texts.status of a text worth scanning


@dataclass(slots=True)
class ScanOutcome:
    messages: int = 0  # messages scanned
    hits: int = 0  # new hits recorded
    new_alerts: list[int] = field(default_factory=list)
    updated_alerts: int = 0  # existing alerts that got new hits
    pending: int = 0  # of `hits`: below their rule's threshold, attached to no alert yet

    def add(self, other: ScanOutcome | Recorded) -> None:
        if isinstance(other, ScanOutcome):
            self.messages += other.messages
        self.hits += other.hits
        self.new_alerts.extend(other.new_alerts)
        self.updated_alerts += other.updated_alerts
        self.pending += other.pending


def scan_new_messages(
    session: Session, *, tenant_id: int, message_ids: Sequence[int], notify: bool = True
) -> ScanOutcome:
    """Run the active policies on these stored messages and record their hits into alerts; uncommitted."""
    outcome = ScanOutcome()
    if not message_ids:
        return outcome
    policy_set = active_policy_set(session, tenant_id)
    if policy_set is None:
        return outcome
    ids = sorted(set(message_ids))
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset : offset + CHUNK]
        facts = _load_facts(session, tenant_id=tenant_id, message_ids=chunk)
        outcome.messages += len(facts)
        _record(session, tenant_id=tenant_id, facts=facts, policy_set=policy_set, notify=notify, outcome=outcome)
    return outcome


def scan_attachment_texts(
    session: Session, *, tenant_id: int, attachment_ids: Sequence[int], notify: bool = True
) -> ScanOutcome:
    """Run the active policies on the extracted text of these attachments; record only those hits.

    The message's own text, type and time were judged when it was archived; only the hits whose
    source is `attachment_text` are new. Uncommitted, like `scan_new_messages`.
    """
    outcome = ScanOutcome()
    if not attachment_ids:
        return outcome
    policy_set = active_policy_set(session, tenant_id)
    if policy_set is None:
        return outcome
    wanted = sorted(set(attachment_ids))
    message_ids = sorted(
        set(
            session.execute(
                select(Attachment.message_id).where(Attachment.tenant_id == tenant_id, Attachment.id.in_(wanted))
            ).scalars()
        )
    )
    for offset in range(0, len(message_ids), CHUNK):
        chunk = message_ids[offset : offset + CHUNK]
        facts = _load_facts(session, tenant_id=tenant_id, message_ids=chunk, only_attachments=wanted)
        outcome.messages += len(facts)
        _record(
            session,
            tenant_id=tenant_id,
            facts=facts,
            policy_set=policy_set,
            notify=notify,
            outcome=outcome,
            source=HitSource.ATTACHMENT_TEXT,
        )
    return outcome


def _load_facts(
    session: Session, *, tenant_id: int, message_ids: list[int], only_attachments: Sequence[int] | None = None
) -> list[MessageFacts]:
    """What the engine needs per message; `only_attachments`: just those attachments' extracted text."""
    rows = session.execute(
        select(
            Message.id,
            Message.conversation_id,
            Message.line_id,
            Message.direction,
            Message.kind,
            Message.text,
            Message.sent_at,
            Message.author_contact_id,
            Conversation.contact_id.label("chat_contact_id"),
            Line.number,
            Line.timezone,
            Line.team_id,
            Line.employee_id,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Line, Line.id == Message.line_id)
        .where(Message.tenant_id == tenant_id, Message.id.in_(message_ids))
        .order_by(Message.id)
    ).all()
    rows = [r for r in rows if r.kind != MessageKind.SYSTEM.value]  # "X added Y" is nobody's conduct
    if not rows:
        return []
    attachments: dict[int, list[Any]] = defaultdict(list)
    query = (
        select(
            Attachment.message_id,
            Attachment.file_name,
            Attachment.mime_type,
            Attachment.caption,
            AttachmentText.text.label("extracted"),
        )
        .outerjoin(
            AttachmentText,
            (AttachmentText.attachment_id == Attachment.id) & (AttachmentText.status == EXTRACTED),
        )
        .where(Attachment.tenant_id == tenant_id, Attachment.message_id.in_([r.id for r in rows]))
        .order_by(Attachment.message_id, Attachment.position)
    )
    if only_attachments is not None:
        query = query.where(Attachment.id.in_(only_attachments), AttachmentText.text.is_not(None))
    for a in session.execute(query):
        attachments[a.message_id].append(a)
    contact_ids = {_other_party(r) for r in rows} - {None}
    contacts = {
        c.id: c
        for c in session.execute(
            select(Contact.id, Contact.is_internal, Contact.phone, Contact.wa_id).where(Contact.id.in_(contact_ids))
        )
    }
    corporate = {_digits(n) for n in session.execute(select(Line.number).where(Line.tenant_id == tenant_id)).scalars()}
    kinds = {contact_id: _contact_kind(contact, corporate) for contact_id, contact in contacts.items()}
    employee_teams = dict(
        session.execute(
            select(Employee.id, Employee.team_id).where(Employee.id.in_({r.employee_id for r in rows} - {None}))
        ).all()
    )
    team_ids = {r.team_id for r in rows} | set(employee_teams.values())
    team_names = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids - {None}))).all())
    facts: list[MessageFacts] = []
    for r in rows:
        local = r.sent_at.astimezone(_zone(r.timezone))
        teams = frozenset(
            team_names[t] for t in (r.team_id, employee_teams.get(r.employee_id)) if t is not None and t in team_names
        )
        contact = kinds.get(_other_party(r))
        files = attachments.get(r.id, [])
        common: dict[str, Any] = {
            "direction": Direction(r.direction),
            "line": r.number,
            "teams": teams,
            "contact": contact,
        }
        if only_attachments is not None:  # the extracted texts alone: no message text, no time
            inputs = tuple(ScanInput(attachment=_attachment(a), **common) for a in files)
        else:
            text = r.text or next((a.caption for a in files if a.caption), None) or ""
            first = ScanInput(
                text=text,
                timestamp=local.replace(tzinfo=None),
                attachment=_attachment(files[0]) if files else None,
                **common,
            )
            inputs = (first, *(ScanInput(attachment=_attachment(a), **common) for a in files[1:]))
        facts.append(
            MessageFacts(
                message_id=r.id,
                conversation_id=r.conversation_id,
                line_id=r.line_id,
                team_id=r.team_id,
                employee_id=r.employee_id,
                sent_at=r.sent_at,
                day=local.date().isoformat(),
                inputs=inputs,
            )
        )
    return facts


def _record(
    session: Session,
    *,
    tenant_id: int,
    facts: list[MessageFacts],
    policy_set: PolicySet,
    notify: bool,
    outcome: ScanOutcome,
    source: HitSource | None = None,
) -> None:
    """Record the new hits (only those from `source` when given) into alerts."""
    recorded = {
        tuple(row)
        for row in session.execute(
            select(AlertHit.message_id, AlertHit.policy, AlertHit.rule, AlertHit.source, AlertHit.start).where(
                AlertHit.tenant_id == tenant_id, AlertHit.message_id.in_([f.message_id for f in facts])
            )
        )
    }
    thresholds = rule_thresholds(policy_set.policies.values())  # a few µs: not worth caching
    groups: dict[GroupKey, list[tuple[MessageFacts, Hit]]] = defaultdict(list)
    counted: list[tuple[MessageFacts, Hit]] = []  # hits of threshold rules
    for message in facts:
        for hit in _hits(policy_set, message):
            if source is not None and hit.source is not source:
                continue
            if (message.message_id, hit.policy, hit.rule, hit.source.value, hit.start) in recorded:
                continue
            if (hit.policy, hit.rule) in thresholds:
                counted.append((message, hit))
            else:
                groups[(message.conversation_id, hit.policy, message.day)].append((message, hit))
    if not groups and not counted:
        return
    new_alerts: list[int] = []
    for stored in (
        record_hits(session, tenant_id=tenant_id, groups=groups, policy_set=policy_set),
        record_threshold_hits(
            session, tenant_id=tenant_id, items=counted, thresholds=thresholds, policy_set=policy_set
        ),
    ):
        outcome.add(stored)
        new_alerts.extend(stored.new_alerts)
    if notify:
        for alert_id in new_alerts:
            enqueue(
                session,
                tenant_id=tenant_id,
                kind=NOTIFY_KIND,
                payload={"alert_id": alert_id, "event": "created"},
                urgent=True,
            )


def _hits(policy_set: PolicySet, message: MessageFacts) -> list[Hit]:
    found: list[Hit] = []
    seen: set[tuple[str, str, str, int]] = set()
    for scan_input in message.inputs:
        for hit in policy_set.engine.scan(scan_input):
            key = (hit.policy, hit.rule, hit.source.value, hit.start)
            if key in seen:
                continue  # the same after-hours or file-type verdict for a second attachment
            seen.add(key)
            if hit.source is HitSource.ATTACHMENT_TEXT and hit.detail is None and scan_input.attachment is not None:
                hit = replace(hit, detail=f"text of {scan_input.attachment.file_name or 'an attachment'}")
            found.append(hit)
            if len(found) >= MAX_HITS_PER_MESSAGE:
                return found
    return found


def _other_party(row: Any) -> int | None:
    """Who the employee talks to: the author of an inbound message, the chat's contact for an outbound one."""
    contact: int | None = row.author_contact_id if row.direction == Direction.INBOUND.value else row.chat_contact_id
    return contact


def _contact_kind(contact: Any, corporate: set[str]) -> ContactKind | None:
    if contact is None:
        return None  # unknown (an outbound message to a group): admits any scope
    if contact.is_internal:
        return ContactKind.INTERNAL
    # A colleague's corporate line is internal even before anyone flags the contact.
    number = _digits(contact.phone or contact.wa_id or "")
    return ContactKind.INTERNAL if number and number in corporate else ContactKind.EXTERNAL


def _attachment(row: Any) -> ScanAttachment:
    return ScanAttachment(file_name=row.file_name, mime_type=row.mime_type, text=row.extracted)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@cache
def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)
