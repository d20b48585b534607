"""Who may read what: role scoping in the query layer, and every read of archived content audited.

Scoping lives in the queries themselves (`scope_filter`), never in routes, so a page or an API
endpoint cannot forget it: admin, compliance and auditor see their whole tenant, a manager only
the conversations on lines of the teams they manage, anyone else nothing. A conversation out of
scope answers exactly like a missing one (404), so ids reveal nothing; the attempt is written to
the audit log with `outcome="denied"` before NotFound is raised, so a caller that wants the
evidence kept answers the error instead of letting it roll the transaction back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypedDict

from sqlalchemy import ColumnElement, Select, false, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from atalaia.db.models import (
    Attachment,
    Contact,
    Conversation,
    DeliveryStatusRecord,
    Line,
    ManagedTeam,
    Message,
    Reaction,
    Revision,
    Revocation,
    User,
)
from atalaia.domain.enums import Role
from atalaia.errors import NotFound
from atalaia.services import audit
from atalaia.services.contact_names import corrected_names

TENANT_WIDE_ROLES: Final = frozenset({Role.ADMIN, Role.COMPLIANCE, Role.AUDITOR})
MAX_PAGE: Final = 500  # conversations or messages in one read; bounds one audited read's size
SNIPPET_CHARS: Final = 120  # of the last message, in a conversation listing
NOT_FOUND: Final = "conversa não encontrada"


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user as access control sees them; built once per request."""

    user_id: int
    tenant_id: int
    email: str
    role: Role
    team_ids: frozenset[int]

    @property
    def sees_whole_tenant(self) -> bool:
        return self.role in TENANT_WIDE_ROLES


def principal_for(session: Session, user: User) -> Principal:
    try:
        role = Role(user.role)
    except ValueError:
        # An unknown stored role gets the narrowest scope there is: a manager of no team sees nothing.
        return Principal(user_id=user.id, tenant_id=user.tenant_id, email=user.email, role=Role.MANAGER,
                         team_ids=frozenset())  # fmt: skip
    team_ids = session.execute(
        select(ManagedTeam.team_id).where(ManagedTeam.tenant_id == user.tenant_id, ManagedTeam.user_id == user.id)
    ).scalars()
    return Principal(
        user_id=user.id, tenant_id=user.tenant_id, email=user.email, role=role, team_ids=frozenset(team_ids)
    )


def visible_lines(principal: Principal) -> Select[int]:
    """The ids of the lines whose conversations the principal may read."""
    query = select(Line.id).where(Line.tenant_id == principal.tenant_id)
    if principal.sees_whole_tenant:
        return query
    if principal.role is Role.MANAGER and principal.team_ids:
        return query.where(Line.team_id.in_(sorted(principal.team_ids)))
    return query.where(false())  # deny by default: a manager of no team sees nothing


def scope_filter(
    principal: Principal,
    *,
    tenant_id: InstrumentedAttribute[int] = Conversation.tenant_id,
    line_id: InstrumentedAttribute[int] = Conversation.line_id,
) -> ColumnElement[bool]:
    """A WHERE clause limiting any line-owned table (conversations, messages, ...) to the principal.

    Always pinned to the principal's tenant; managers are further limited to their teams' lines.
    Pass the table's columns to scope something other than conversations, e.g.
    `scope_filter(p, tenant_id=Message.tenant_id, line_id=Message.line_id)`.
    """
    clause = tenant_id == principal.tenant_id
    if principal.sees_whole_tenant:
        return clause & true()
    return clause & line_id.in_(visible_lines(principal))


def visible_conversations(principal: Principal) -> Select[Conversation]:
    return select(Conversation).where(scope_filter(principal))


def count_visible_conversations(session: Session, *, principal: Principal) -> int:
    """A count only, no content: not audited."""
    return int(
        session.execute(select(func.count()).select_from(Conversation).where(scope_filter(principal))).scalar_one()
    )


class ConversationRow(TypedDict):
    id: int
    line: str
    kind: str
    title: str
    last_message_at: datetime | None
    last_text: str


def list_conversations(
    session: Session, *, principal: Principal, limit: int = 50, offset: int = 0, ip: str | None = None
) -> list[ConversationRow]:
    """The principal's conversations, most recent first, each with its last message; audited."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    rows = session.execute(
        select(Conversation, Line.number, Contact.profile_name, Contact.phone)
        .join(Line, Line.id == Conversation.line_id)
        .outerjoin(Contact, Contact.id == Conversation.contact_id)
        .where(scope_filter(principal))
        .order_by(func.coalesce(Conversation.last_message_at, Conversation.created_at).desc(), Conversation.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    last_texts = _last_texts(session, tenant_id=principal.tenant_id, conversation_ids=[row[0].id for row in rows])
    result: list[ConversationRow] = [
        {
            "id": conv.id,
            "line": number,
            "kind": conv.kind,
            "title": _title(conv, name=name, phone=phone),
            "last_message_at": conv.last_message_at,
            "last_text": last_texts.get(conv.id, ""),
        }
        for conv, number, name, phone in rows
    ]
    _audit(session, principal, action="list_conversations", ip=ip,
           detail={"limit": limit, "offset": offset, "returned": len(result)})  # fmt: skip
    return result


def _last_texts(session: Session, *, tenant_id: int, conversation_ids: list[int]) -> dict[int, str]:
    if not conversation_ids:
        return {}
    latest = (
        select(Message.conversation_id, func.max(Message.id).label("id"))
        .where(Message.tenant_id == tenant_id, Message.conversation_id.in_(conversation_ids))
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = session.execute(
        select(Message.conversation_id, Message.text, Message.kind).join(latest, latest.c.id == Message.id)
    ).all()
    return {conv_id: (text or f"[{kind}]")[:SNIPPET_CHARS] for conv_id, text, kind in rows}


def _title(conversation: Conversation, *, name: str | None, phone: str | None) -> str:
    return conversation.subject or name or phone or conversation.key


class EditData(TypedDict):
    text: str
    edited_at: datetime


class ReactionData(TypedDict):
    emoji: str
    at: datetime


class StatusData(TypedDict):
    status: str
    at: datetime


class AttachmentData(TypedDict):
    id: int
    file_name: str | None
    mime_type: str | None
    size: int | None
    status: str


class MessageData(TypedDict):
    id: int
    provider_message_id: str
    direction: str
    kind: str
    author: str | None
    text: str | None
    sent_at: datetime
    reply_to: str | None
    forwarded: bool
    edits: list[EditData]
    revoked_at: datetime | None
    deleted_by_line: bool
    reactions: list[ReactionData]
    statuses: list[StatusData]
    attachments: list[AttachmentData]


class ConversationData(TypedDict):
    id: int
    kind: str
    title: str
    contact_phone: str | None
    line: str | None
    messages: list[MessageData]


def get_conversation(
    session: Session,
    *,
    principal: Principal,
    conversation_id: int,
    ip: str | None = None,
    limit: int = MAX_PAGE,
    offset: int = 0,
) -> ConversationData:
    """One conversation with a page of its messages and what happened to each, audited.

    1. Look the id up through the principal's scope only.
    2. Out of scope or missing: audit a denied read (noting which, for the auditor's eyes only)
       and raise NotFound, indistinguishable from a missing id. The audit row is in the caller's
       transaction: answer the error (don't let it roll back) to keep the evidence.
    3. Load the page of messages, oldest first, with their edits, deletion, reactions, statuses
       and attachments (one query per kind), and audit the read.
    """
    row = session.execute(
        select(Conversation, Line.number, Contact.profile_name, Contact.phone)
        .join(Line, Line.id == Conversation.line_id)
        .outerjoin(Contact, Contact.id == Conversation.contact_id)
        .where(scope_filter(principal), Conversation.id == conversation_id)
    ).one_or_none()
    if row is None:
        exists = session.execute(
            select(Conversation.id).where(
                Conversation.id == conversation_id, Conversation.tenant_id == principal.tenant_id
            )
        ).first()
        _audit(session, principal, action="read_conversation", object_id=conversation_id, outcome="denied", ip=ip,
               detail={"reason": "out_of_scope" if exists else "missing"})  # fmt: skip
        raise NotFound(NOT_FOUND)
    conversation, number, name, phone = row
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    messages = list(
        session.execute(
            select(Message)
            .where(Message.tenant_id == principal.tenant_id, Message.conversation_id == conversation.id)
            .order_by(Message.sent_at, Message.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
    data: ConversationData = {
        "id": conversation.id,
        "kind": conversation.kind,
        "title": _title(conversation, name=name, phone=phone),
        "contact_phone": phone,
        "line": number,
        "messages": _messages(session, tenant_id=principal.tenant_id, messages=messages),
    }
    _audit(session, principal, action="read_conversation", object_id=conversation.id, ip=ip,
           detail={"messages": len(messages), "offset": offset})  # fmt: skip
    return data


def _messages(session: Session, *, tenant_id: int, messages: list[Message]) -> list[MessageData]:
    ids = [m.id for m in messages]
    if not ids:
        return []

    def children(model: Any, order: Any) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = {}
        rows = session.execute(
            select(model).where(model.tenant_id == tenant_id, model.message_id.in_(ids)).order_by(order, model.id)
        ).scalars()
        for child in rows:
            grouped.setdefault(child.message_id, []).append(child)
        return grouped

    edits = children(Revision, Revision.edited_at)
    revocations = children(Revocation, Revocation.revoked_at)
    reactions = children(Reaction, Reaction.reacted_at)
    statuses = children(DeliveryStatusRecord, DeliveryStatusRecord.at)
    attachments = children(Attachment, Attachment.position)
    names = corrected_names(session, tenant_id=tenant_id, contact_ids=(m.author_contact_id for m in messages))
    result: list[MessageData] = []
    for m in messages:
        revocation = (revocations.get(m.id) or [None])[0]
        result.append(
            {
                "id": m.id,
                "provider_message_id": m.provider_message_id,
                "direction": m.direction,
                "kind": m.kind,
                "author": names.get(m.author_contact_id or 0, m.author_name),  # a corrected name wins
                "text": m.text,
                "sent_at": m.sent_at,
                "reply_to": m.reply_to,
                "forwarded": m.forwarded,
                "edits": [{"text": e.text, "edited_at": e.edited_at} for e in edits.get(m.id, [])],
                "revoked_at": revocation.revoked_at if revocation else m.revoked_at,
                "deleted_by_line": bool(revocation and revocation.by_line),
                # An empty emoji records a reaction removed: kept in the archive, not shown.
                "reactions": [{"emoji": r.emoji, "at": r.reacted_at} for r in reactions.get(m.id, []) if r.emoji],
                "statuses": [{"status": s.status, "at": s.at} for s in statuses.get(m.id, [])],
                "attachments": [_attachment(a) for a in attachments.get(m.id, [])],
            }
        )
    return result


def _attachment(a: Attachment) -> AttachmentData:
    return {"id": a.id, "file_name": a.file_name, "mime_type": a.mime_type, "size": a.size, "status": a.download_status}


def _audit(
    session: Session,
    principal: Principal,
    *,
    action: str,
    ip: str | None,
    object_id: int | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        tenant_id=principal.tenant_id,
        actor=principal.email,
        user_id=principal.user_id,
        action=action,
        object_type="conversation",
        object_id=object_id,
        outcome=outcome,
        detail={"role": principal.role.value, **(detail or {})},
        ip=ip,
    )
