"""`search`: parse, match on the tenant's index, build the page of hits, write the audit entry.

1. Parse the query (refused with `SearchQueryError` when unusable) and check limit/offset.
2. Ask the engine for one page of message ids, best first (bm25 / ts_rank, then newest), and
   the total. Nothing is asked when the caller may see no line at all.
3. Read those messages, their edits and attachments, and find the query's words in the latest
   text, else in an earlier edit, the original, an attachment's caption or file name, or the
   text extracted from an attachment.
4. Record the search in the audit log with the query and the total, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Contact, Message
from atalaia.search._documents import MessageTexts, TextSource, load_texts
from atalaia.search._filters import SearchFilters, conditions
from atalaia.search._highlight import Span, highlight, snippet
from atalaia.search._index import backend_for
from atalaia.search._query import ParsedQuery, SearchQueryError, parse_query
from atalaia.services import audit

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 500
MAX_OFFSET: Final = 10_000  # deeper pages cost a sort of everything before them; narrow the search


@dataclass(frozen=True, slots=True)
class SearchHit:
    message_id: int
    conversation_id: int
    line_id: int
    timestamp: datetime  # sent_at, aware UTC
    author: str | None
    direction: str
    kind: str
    edited: bool
    deleted: bool  # deleted for everyone: shown to reviewers, flagged
    score: float  # higher is better; comparable only within one search
    text: str  # the message's latest text
    matched_in: TextSource  # where `highlights` point: text, revision, original, attachment, attachment_text
    matched_text: str
    highlights: tuple[Span, ...]  # (start, end) offsets into matched_text
    snippet: str  # plain text around the first match, matches in [brackets]

    def as_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "conversation_id": self.conversation_id,
            "line_id": self.line_id,
            "timestamp": self.timestamp.isoformat(),
            "author": self.author,
            "snippet": self.snippet,
            "direction": self.direction,
            "kind": self.kind,
            "edited": self.edited,
            "deleted": self.deleted,
            "score": self.score,
            "text": self.text,
            "matched_in": self.matched_in,
            "matched_text": self.matched_text,
            "highlights": [list(span) for span in self.highlights],
        }


@dataclass(frozen=True, slots=True)
class SearchResults:
    total: int
    hits: tuple[SearchHit, ...]
    limit: int
    offset: int
    query: ParsedQuery | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [hit.as_dict() for hit in self.hits],
            "limit": self.limit,
            "offset": self.offset,
        }


def search(
    session: Session,
    *,
    tenant_id: int,
    query: str,
    actor: str,
    filters: SearchFilters | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    user_id: int | None = None,
    ip: str | None = None,
) -> SearchResults:
    """One page of the tenant's messages matching `query`; audited as `search` by `actor`."""
    parsed = parse_query(query)
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchQueryError(f"O limite de resultados deve estar entre 1 e {MAX_LIMIT}.")
    if not 0 <= offset <= MAX_OFFSET:
        raise SearchQueryError(f"O deslocamento deve estar entre 0 e {MAX_OFFSET}; refine a busca.")
    filters = filters or SearchFilters()
    conditions(filters, tenant_id=tenant_id)  # refuses a bad filter before anything runs
    if filters.sent_from and filters.sent_before and filters.sent_from >= filters.sent_before:
        raise SearchQueryError("O início do período é posterior ao fim.")
    if filters.nothing_visible():
        page: list[tuple[int, float]] = []
        total = 0
    else:
        page, total = backend_for(session).match(
            session, query=parsed, tenant_id=tenant_id, filters=filters, limit=limit, offset=offset
        )
    hits = _hits(session, parsed, page)
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=actor,
        user_id=user_id,
        action="search",
        ip=ip,
        detail={"query": query, "total": total, "limit": limit, "offset": offset, "filters": filters.describe()},
    )
    return SearchResults(total=total, hits=hits, limit=limit, offset=offset, query=parsed)


def _hits(session: Session, query: ParsedQuery, page: list[tuple[int, float]]) -> tuple[SearchHit, ...]:
    if not page:
        return ()
    ids = [message_id for message_id, _ in page]
    rows = {
        row.id: row
        for row in session.execute(
            select(
                Message.id,
                Message.tenant_id,
                Message.text,
                Message.conversation_id,
                Message.line_id,
                Message.sent_at,
                Message.direction,
                Message.kind,
                Message.author_name,
                Message.edited_at,
                Message.revoked_at,
                Contact.profile_name,
                Contact.name_corrected_at,
            )
            .outerjoin(Contact, Contact.id == Message.author_contact_id)
            .where(Message.id.in_(ids))
        )
    }
    known = {mid: row._mapping for mid, row in rows.items()}
    texts = {item.message_id: item for item in load_texts(session, message_ids=list(known), rows=known)}
    hits = []
    for message_id, score in page:
        row = rows[message_id]
        source, matched, spans = _locate(query, texts.get(message_id))
        hits.append(
            SearchHit(
                message_id=message_id,
                conversation_id=row.conversation_id,
                line_id=row.line_id,
                timestamp=row.sent_at,
                # A name corrected at the subject's request (LGPD art. 18 III) wins over the one sent.
                author=(row.profile_name if row.name_corrected_at else None) or row.author_name or row.profile_name,
                direction=row.direction,
                kind=row.kind,
                edited=row.edited_at is not None,
                deleted=row.revoked_at is not None,
                score=score,
                text=texts[message_id].latest if message_id in texts else "",
                matched_in=source,
                matched_text=matched,
                highlights=tuple(spans),
                snippet=snippet(matched, spans),
            )
        )
    return tuple(hits)


def _locate(query: ParsedQuery, texts: MessageTexts | None) -> tuple[TextSource, str, list[Span]]:
    """The first of the message's texts where the query's words show, else its latest text."""
    if texts is None:
        return "text", "", []
    candidates = texts.texts()
    for source, text in candidates:
        spans = highlight(query, text)
        if spans:
            return source, text, spans
    return "text", texts.latest, []
