"""What an export covers: a conversation, a line, a case (an alert's conversation) or a search.

Resolving checks that the thing exists in the tenant (an unknown id is a clear error, never an
empty file) and turns it into conversation ids in export order, plus, for a search, the ids of
the messages it found. A search is run through the search service page by page, so it is
audited as every search is; it can select at most `MAX_QUERY_HITS` messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from atalaia.db.models import Alert, AlertHit, Conversation, Line, Message
from atalaia.errors import InvalidInput, NotFound
from atalaia.search import resolve_line, search

QUERY_PAGE: Final = 500  # the search service's largest page
MAX_QUERY_HITS: Final = 10_500  # its deepest offset (10,000) plus one page
ID_CHUNK: Final = 500


class SelectionKind(StrEnum):
    CONVERSATION = "conversation"
    LINE = "line"
    CASE = "case"
    QUERY = "query"


@dataclass(frozen=True, slots=True)
class SelectionSpec:
    """Exactly one of these, as typed by the user."""

    conversation: int | None = None
    line: str | None = None
    case: int | None = None
    query: str | None = None

    def kind(self) -> SelectionKind:
        given = [
            kind
            for kind, value in (
                (SelectionKind.CONVERSATION, self.conversation),
                (SelectionKind.LINE, self.line),
                (SelectionKind.CASE, self.case),
                (SelectionKind.QUERY, self.query),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise InvalidInput("escolha exatamente um entre --conversation, --line, --case e --query")
        return given[0]


@dataclass(frozen=True, slots=True)
class Selection:
    kind: SelectionKind
    object_id: str  # what the audit log names
    conversation_ids: tuple[int, ...]  # in export order
    message_ids: frozenset[int] | None = None  # a search: only these messages
    line_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """For the manifest and the audit log."""
        return {"kind": self.kind.value, **self.details}


def resolve_selection(session: Session, *, tenant_id: int, spec: SelectionSpec, actor: str) -> Selection:
    kind = spec.kind()
    if kind is SelectionKind.CONVERSATION:
        assert spec.conversation is not None
        return _conversation(session, tenant_id=tenant_id, conversation_id=spec.conversation)
    if kind is SelectionKind.LINE:
        assert spec.line is not None
        return _line(session, tenant_id=tenant_id, value=spec.line)
    if kind is SelectionKind.CASE:
        assert spec.case is not None
        return _case(session, tenant_id=tenant_id, alert_id=spec.case)
    assert spec.query is not None
    return _query(session, tenant_id=tenant_id, query=spec.query, actor=actor)


def _conversation(session: Session, *, tenant_id: int, conversation_id: int) -> Selection:
    found = session.execute(
        select(Conversation.id).where(Conversation.tenant_id == tenant_id, Conversation.id == conversation_id)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"conversa não encontrada: {conversation_id}")
    return Selection(
        kind=SelectionKind.CONVERSATION,
        object_id=str(conversation_id),
        conversation_ids=(conversation_id,),
        details={"conversation_id": conversation_id},
    )


def _line(session: Session, *, tenant_id: int, value: str) -> Selection:
    line_id = resolve_line(session, tenant_id=tenant_id, value=value)
    number = session.execute(select(Line.number).where(Line.id == line_id)).scalar_one()
    conversations = session.execute(
        select(Conversation.id).where(Conversation.line_id == line_id).order_by(Conversation.id)
    ).scalars()
    return Selection(
        kind=SelectionKind.LINE,
        object_id=number,
        conversation_ids=tuple(conversations),
        line_id=line_id,
        details={"line_id": line_id, "number": number},
    )


def _case(session: Session, *, tenant_id: int, alert_id: int) -> Selection:
    conversation_id = session.execute(
        select(Alert.conversation_id).where(Alert.tenant_id == tenant_id, Alert.id == alert_id)
    ).scalar_one_or_none()
    if conversation_id is None:
        raise NotFound(f"caso não encontrado: {alert_id}")
    # An alert is raised in one conversation; its hits are read too, should one ever point elsewhere.
    hit_conversations = session.execute(
        select(Message.conversation_id)
        .distinct()
        .join(AlertHit, AlertHit.message_id == Message.id)
        .where(AlertHit.tenant_id == tenant_id, AlertHit.alert_id == alert_id)
    ).scalars()
    ids = tuple(sorted({conversation_id, *hit_conversations}))
    return Selection(
        kind=SelectionKind.CASE,
        object_id=str(alert_id),
        conversation_ids=ids,
        details={"alert_id": alert_id, "conversation_ids": list(ids)},
    )


def _query(session: Session, *, tenant_id: int, query: str, actor: str) -> Selection:
    """Every message the search finds, page by page (each page is an audited search)."""
    found: set[int] = set()
    offset = 0
    while True:
        page = search(session, tenant_id=tenant_id, query=query, actor=actor, limit=QUERY_PAGE, offset=offset)
        if page.total > MAX_QUERY_HITS:
            raise InvalidInput(
                f"a busca encontrou {page.total} mensagens; uma exportação por busca leva no máximo "
                f"{MAX_QUERY_HITS}: refine a busca ou exporte por conversa (--conversation) ou linha (--line)"
            )
        found.update(hit.message_id for hit in page.hits)
        offset += QUERY_PAGE
        if not page.hits or offset >= page.total:
            break
    conversations: set[int] = set()
    for chunk in chunks(sorted(found)):
        conversations.update(
            session.execute(
                select(Message.conversation_id).distinct().where(Message.tenant_id == tenant_id, Message.id.in_(chunk))
            ).scalars()
        )
    return Selection(
        kind=SelectionKind.QUERY,
        object_id=query[:80],
        conversation_ids=tuple(sorted(conversations)),
        message_ids=frozenset(found),
        details={"query": query, "messages": len(found)},
    )


def count_messages(session: Session, *, selection: Selection) -> int:
    """How many messages the selection holds now (the progress bar's total).

    Its lines and conversations are the tenant's already; naming only them lets one index answer
    (SQLite, with no statistics, would otherwise walk the tenant's messages by date).
    """
    if selection.message_ids is not None:
        return len(selection.message_ids)
    if selection.line_id is not None:
        return int(session.execute(select(func.count()).where(Message.line_id == selection.line_id)).scalar_one())
    total = 0
    for chunk in chunks(selection.conversation_ids):
        total += int(session.execute(select(func.count()).where(Message.conversation_id.in_(chunk))).scalar_one())
    return total


def has_messages(session: Session, *, selection: Selection) -> bool:
    if selection.message_ids is not None:
        return bool(selection.message_ids)
    return any(
        session.execute(select(exists().where(Message.conversation_id.in_(chunk)))).scalar_one()
        for chunk in chunks(selection.conversation_ids)
    )


def chunks(ids: Sequence[int] | Iterable[int], size: int = ID_CHUNK) -> Iterable[list[int]]:
    batch: list[int] = []
    for value in ids:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def messages_by_conversation(session: Session, *, tenant_id: int, message_ids: Iterable[int]) -> dict[int, list[int]]:
    """A search's hits grouped by conversation (at most `MAX_QUERY_HITS` ids)."""
    grouped: dict[int, list[int]] = {}
    for chunk in chunks(sorted(message_ids)):
        for message_id, conversation_id in session.execute(
            select(Message.id, Message.conversation_id).where(Message.tenant_id == tenant_id, Message.id.in_(chunk))
        ):
            grouped.setdefault(conversation_id, []).append(message_id)
    return grouped
