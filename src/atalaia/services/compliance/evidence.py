"""The evidence of an alert: each hit inside a few messages of its conversation, the matched span marked.

This is a read of archived content, so it is scoped (through `load_alert`: the conversation is
the alert's, on the alert's line) and audited as a transcript read is (`read_conversation`, with
the alert it was read through). Message text is the attacker's: it is returned as plain parts,
marked or not, and never as markup; whoever renders it escapes it. Hit offsets point into the
original text (or the caption, when the message had no text), as the scanner saw it, so edits are
not applied here; the message says it was edited or deleted instead. Everything is bounded: the
number of hit messages, the text around each span and the length of the context messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from atalaia.db.models import AlertHit, Attachment, Contact, Conversation, Message
from atalaia.domain.enums import Direction
from atalaia.domain.policy import HitSource
from atalaia.services import audit
from atalaia.services.compliance.actor import Actor
from atalaia.services.compliance.cases import load_alert

AROUND: Final = 2  # messages shown before and after each hit
MAX_HIT_MESSAGES: Final = 20  # messages with hits given their context; the rest are counted
MAX_HIT_ROWS: Final = 2000  # hits read to find those messages (a message keeps at most 100)
RADIUS: Final = 200  # characters kept on each side of a marked span
MAX_MARK: Final = 500  # characters of one marked span
CONTEXT_CHARS: Final = 500  # of a message around a hit
ELLIPSIS: Final = "…"


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of message text; `marked` when it is what a rule matched."""

    text: str
    marked: bool = False


@dataclass(frozen=True, slots=True)
class HitNote:
    """A hit outside the message text (extracted attachment text, the file, the time), to be named."""

    rule: str
    source: str
    match: str  # redacted, as stored
    detail: str | None


@dataclass(frozen=True, slots=True)
class ContextMessage:
    id: int
    direction: str
    kind: str
    author: str
    sent_at: datetime
    parts: list[Part]
    is_hit: bool
    rules: list[str]  # of the hits in this message
    notes: list[HitNote] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    edited: bool = False
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Consecutive messages of the conversation around one or more hits."""

    messages: list[ContextMessage]


@dataclass(frozen=True, slots=True)
class Evidence:
    alert_id: int
    conversation_id: int
    conversation_title: str
    excerpts: list[Excerpt]
    hit_messages: int  # messages with hits in the alert (up to MAX_HIT_ROWS hits read)
    shown: int  # of which are shown in context

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for excerpt in data["excerpts"]:
            for message in excerpt["messages"]:
                message["sent_at"] = message["sent_at"].isoformat()
        return data


def hit_context(
    session: Session,
    *,
    tenant_id: int,
    alert_id: int,
    actor: Actor,
    employee_label: str,
    ip: str | None = None,
) -> Evidence:
    """The alert's hits in context; `employee_label` names the line's side (a pseudonym unless revealed)."""
    alert = load_alert(session, tenant_id=tenant_id, alert_id=alert_id, actor=actor, action="read_alert")
    conv_id = alert.conversation_id
    hits_by_message: dict[int, list[AlertHit]] = {}
    for hit in session.execute(
        select(AlertHit).where(AlertHit.alert_id == alert.id).order_by(AlertHit.at, AlertHit.id).limit(MAX_HIT_ROWS)
    ).scalars():
        hits_by_message.setdefault(hit.message_id, []).append(hit)
    in_conversation = (Message.tenant_id == tenant_id) & (Message.conversation_id == conv_id)
    anchors = session.execute(
        select(Message.id, Message.sent_at)
        .where(in_conversation, Message.id.in_(list(hits_by_message)))
        .order_by(Message.sent_at, Message.id)
        .limit(MAX_HIT_MESSAGES)
    ).all()
    windows = [_window(session, in_conversation, message_id, sent_at) for message_id, sent_at in anchors]
    groups = _merge(windows)
    shown_ids = {i for group in groups for i in group}
    hit_ids = {message_id for message_id, _ in anchors}
    messages = _load(session, tenant_id=tenant_id, ids=shown_ids, hit_ids=hit_ids)
    files = _attachments(session, tenant_id=tenant_id, ids=shown_ids)
    excerpts = []
    for group in groups:
        rows = sorted((messages[i] for i in group if i in messages), key=lambda m: (m.sent_at, m.id))
        excerpts.append(
            Excerpt(
                [_context_message(r, hits_by_message.get(r.id, []), files.get(r.id, []), employee_label) for r in rows]
            )
        )
    if messages:
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor.label,
            user_id=actor.user_id,
            action="read_conversation",
            object_type="conversation",
            object_id=conv_id,
            detail={"role": actor.role.value, "via": "alert", "alert_id": alert.id, "messages": len(messages)},
            ip=ip,
        )
    return Evidence(
        alert_id=alert.id,
        conversation_id=conv_id,
        conversation_title=_title(session, conv_id),
        excerpts=excerpts,
        hit_messages=len(hits_by_message),
        shown=len(anchors),
    )


def _window(session: Session, in_conversation: Any, message_id: int, sent_at: datetime) -> list[int]:
    """The ids of AROUND messages before, the hit's, and AROUND after, in conversation order."""
    before = or_(Message.sent_at < sent_at, and_(Message.sent_at == sent_at, Message.id < message_id))
    after = or_(Message.sent_at > sent_at, and_(Message.sent_at == sent_at, Message.id > message_id))
    earlier = session.execute(
        select(Message.id)
        .where(in_conversation, before)
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(AROUND)
    ).scalars()
    later = session.execute(
        select(Message.id).where(in_conversation, after).order_by(Message.sent_at, Message.id).limit(AROUND)
    ).scalars()
    return [*reversed(list(earlier)), message_id, *later]


def _merge(windows: Sequence[list[int]]) -> list[list[int]]:
    """Windows (in conversation order) that share a message become one excerpt."""
    groups: list[list[int]] = []
    for window in windows:
        if groups and set(window) & set(groups[-1]):
            groups[-1].extend(i for i in window if i not in groups[-1])
        else:
            groups.append(list(window))
    return groups


def _load(session: Session, *, tenant_id: int, ids: set[int], hit_ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    # Whole text for messages with hits (their offsets may be anywhere), a bounded prefix for the rest.
    text = case((Message.id.in_(sorted(hit_ids)), Message.text), else_=func.substr(Message.text, 1, CONTEXT_CHARS + 1))
    rows = session.execute(
        select(
            Message.id,
            Message.direction,
            Message.kind,
            Message.author_name,
            _corrected_name().label("corrected_name"),
            text.label("text"),
            Message.sent_at,
            Message.edited_at,
            Message.revoked_at,
        ).where(Message.tenant_id == tenant_id, Message.id.in_(sorted(ids)))
    ).all()
    return {r.id: r for r in rows}


def _corrected_name() -> Any:
    """The author contact's name when corrected at the subject's request (LGPD art. 18 III)."""
    return (
        select(Contact.profile_name)
        .where(Contact.id == Message.author_contact_id, Contact.name_corrected_at.is_not(None))
        .scalar_subquery()
    )


def _attachments(session: Session, *, tenant_id: int, ids: set[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    if not ids:
        return found
    rows = session.execute(
        select(Attachment.message_id, Attachment.file_name, Attachment.mime_type, Attachment.caption)
        .where(Attachment.tenant_id == tenant_id, Attachment.message_id.in_(sorted(ids)))
        .order_by(Attachment.message_id, Attachment.position)
    )
    for row in rows:
        found.setdefault(row.message_id, []).append(row)
    return found


def _context_message(row: Any, hits: list[AlertHit], files: list[Any], employee_label: str) -> ContextMessage:
    # The scanner read the text, or the first caption when there was none: the offsets are into that.
    text = row.text or next((f.caption for f in files if f.caption), None) or ""
    spans = [(h.start, h.end) for h in hits if h.source == HitSource.TEXT.value]
    notes = [HitNote(h.rule, h.source, h.match, h.detail) for h in hits if h.source != HitSource.TEXT.value]
    if hits:
        parts = mark(text, spans)
    else:
        parts = [Part(text[:CONTEXT_CHARS])] + ([Part(ELLIPSIS)] if len(text) > CONTEXT_CHARS else [])
    outbound = row.direction == Direction.OUTBOUND.value
    return ContextMessage(
        id=row.id,
        direction=row.direction,
        kind=row.kind,
        author=employee_label if outbound else (row.corrected_name or row.author_name or "Contato"),
        sent_at=row.sent_at,
        parts=[p for p in parts if p.text],
        is_hit=bool(hits),
        rules=sorted({h.rule for h in hits}),
        notes=_unique(notes),
        attachments=[f.file_name or f.mime_type or "anexo" for f in files],
        edited=row.edited_at is not None,
        revoked=row.revoked_at is not None,
    )


def mark(text: str, spans: Sequence[tuple[int, int]]) -> list[Part]:
    """`text` cut into plain and marked parts around `spans`, far-off text elided.

    Spans outside the text or empty are ignored, overlapping ones merged; at most RADIUS
    characters are kept on each side of a span, and a marked part is cut at MAX_MARK.
    """
    valid = sorted((s, e) for s, e in spans if 0 <= s < e <= len(text))
    merged: list[tuple[int, int]] = []
    for start, end in valid:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    parts: list[Part] = []
    pos = 0
    for start, end in merged:
        room = RADIUS if pos == 0 else 2 * RADIUS
        if start - pos > room:
            if pos:
                parts.append(Part(text[pos : pos + RADIUS]))
            parts += [Part(ELLIPSIS), Part(text[start - RADIUS : start])]
        else:
            parts.append(Part(text[pos:start]))
        matched = text[start:end]
        parts.append(Part(matched[:MAX_MARK] + (ELLIPSIS if len(matched) > MAX_MARK else ""), marked=True))
        pos = end
    tail_limit = RADIUS if merged else CONTEXT_CHARS
    tail = text[pos:]
    parts.append(Part(tail[:tail_limit]))
    if len(tail) > tail_limit:
        parts.append(Part(ELLIPSIS))
    return [p for p in parts if p.text]


def _unique(notes: list[HitNote]) -> list[HitNote]:
    seen: list[HitNote] = []
    for note in notes:
        if note not in seen:
            seen.append(note)
    return seen


def _title(session: Session, conversation_id: int) -> str:
    row = session.execute(
        select(Conversation.subject, Conversation.key, Contact.profile_name, Contact.phone)
        .outerjoin(Contact, Contact.id == Conversation.contact_id)
        .where(Conversation.id == conversation_id)
    ).one()
    return str(row.subject or row.profile_name or row.phone or row.key)
