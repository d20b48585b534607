"""PostgreSQL: `message_search(message_id, tenant_id, tsv_pt, tsv_simple)`, two tsvectors side by side.

- `tsv_pt` is `to_tsvector('portuguese', ...)` over the words with their -ão endings normalised
  (see `_text.portuguese_words`): stems find "propostas" from "proposta".
- `tsv_simple` is `to_tsvector('simple', atalaia_unaccent(...))`: every word, accents folded,
  no stop words removed, so "acao" finds "ação" and "reunioes" finds "reuniões".
`unaccent` is never applied before the Portuguese stemmer: the stemmer needs the accents
("notificações" stems to "notific"; "notificacoes" does not). Each column has a GIN index.
PostgreSQL is given the words alone, one space apart (`_text.plain_words`): its own parser
would keep "boleto.pdf" or an e-mail as one token and so search differently from SQLite.
The document text itself is not stored: snippets are cut from the archive's own rows.

A query term matches when either column matches it; user text reaches PostgreSQL only as its
words, in a bound parameter of `phraseto_tsquery`, which reads it as plain words. Prefixes need
`to_tsquery`, whose syntax is built here from letters and digits only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnClause,
    ColumnElement,
    DateTime,
    FromClause,
    String,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session

from atalaia.db.models import Message
from atalaia.search._documents import MessageTexts, chunks
from atalaia.search._filters import SearchFilters, conditions
from atalaia.search._query import ParsedQuery, Term
from atalaia.search._text import plain_words, portuguese_words

TABLE: Final = "message_search"

_S = table(
    TABLE,
    column("message_id", BigInteger),
    column("tenant_id", BigInteger),
    column("line_id", BigInteger),
    column("sent_at", DateTime(timezone=True)),
    column("direction", String),
    column("tsv_pt", TSVECTOR),
    column("tsv_simple", TSVECTOR),
)
_PORTUGUESE: ColumnClause[Any] = literal_column("'portuguese'::regconfig")
_SIMPLE: ColumnClause[Any] = literal_column("'simple'::regconfig")
_UPSERT = text(
    "INSERT INTO message_search (message_id, tenant_id, line_id, sent_at, direction, tsv_pt, tsv_simple) "
    "VALUES (:id, :tenant_id, :line_id, :sent_at, :direction, "
    "to_tsvector('portuguese', :pt), to_tsvector('simple', atalaia_unaccent(:body))) "
    "ON CONFLICT (message_id) DO UPDATE SET tsv_pt = excluded.tsv_pt, tsv_simple = excluded.tsv_simple"
)


def write(session: Session, docs: Sequence[MessageTexts]) -> None:
    rows: list[dict[str, Any]] = []
    empty: list[int] = []
    for doc in docs:
        body = doc.document()
        if body:
            rows.append(
                {
                    "id": doc.message_id,
                    "tenant_id": doc.tenant_id,
                    "line_id": doc.line_id,
                    "sent_at": doc.sent_at,
                    "direction": doc.direction,
                    "pt": portuguese_words(body),
                    "body": plain_words(body),
                }
            )
        else:
            empty.append(doc.message_id)
    if rows:
        session.execute(_UPSERT, rows)
    if empty:
        delete(session, empty)


def delete(session: Session, message_ids: Sequence[int]) -> None:
    for chunk in chunks(list(message_ids)):
        session.execute(_S.delete().where(_S.c.message_id.in_(chunk)))


def delete_tenant(session: Session, tenant_id: int) -> None:
    session.execute(_S.delete().where(_S.c.tenant_id == tenant_id))


def _prefix_tsquery(term: Term) -> str:
    """`'w1' <-> 'w2':*` from the term's words, which are letters and digits only."""
    return " <-> ".join(f"'{word}'" for word in term.words) + ":*"


def _queries(term: Term) -> tuple[ColumnElement[Any] | None, ColumnElement[Any]]:
    """(portuguese tsquery or None, simple tsquery) for one term."""
    if term.prefix:
        return None, func.to_tsquery(_SIMPLE, func.atalaia_unaccent(_prefix_tsquery(term)))
    return (
        func.phraseto_tsquery(_PORTUGUESE, portuguese_words(" ".join(term.words))),
        func.phraseto_tsquery(_SIMPLE, func.atalaia_unaccent(" ".join(term.words))),
    )


def _matches(term: Term) -> ColumnElement[bool]:
    portuguese, simple = _queries(term)
    on_simple = _S.c.tsv_simple.op("@@", return_type=Boolean)(simple)
    if portuguese is None:
        return on_simple
    return or_(_S.c.tsv_pt.op("@@", return_type=Boolean)(portuguese), on_simple)


def _rank(query: ParsedQuery) -> ColumnElement[Any]:
    pairs = [_queries(term) for term in query.positive]
    simple = reduce(lambda a, b: a.op("||")(b), [s for _, s in pairs])
    rank: ColumnElement[Any] = func.ts_rank(_S.c.tsv_simple, simple)
    portuguese = [p for p, _ in pairs if p is not None]
    if portuguese:
        rank = rank + func.ts_rank(_S.c.tsv_pt, reduce(lambda a, b: a.op("||")(b), portuguese))
    return rank


def _local_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """Line, period and direction filters on the index's own copies of those columns."""
    where: list[ColumnElement[bool]] = []
    for line_ids in (filters.line_ids, filters.visible_line_ids):
        if line_ids is not None:
            where.append(_S.c.line_id.in_(list(line_ids)))
    if filters.sent_from is not None:
        where.append(_S.c.sent_at >= filters.sent_from)
    if filters.sent_before is not None:
        where.append(_S.c.sent_at < filters.sent_before)
    if filters.direction is not None:
        where.append(_S.c.direction == filters.direction)
    return where


def match(
    session: Session,
    *,
    query: ParsedQuery,
    tenant_id: int,
    filters: SearchFilters,
    limit: int,
    offset: int,
) -> tuple[list[tuple[int, float]], int]:
    """(message id, score) for one page, best first, and the total; a higher score is better.

    Line, period and direction filters (a manager's scope among them) read the index's own columns, so the
    usual search never joins `messages`; the other filters do.
    """
    where = [
        _S.c.tenant_id == tenant_id,
        *(_matches(term) for term in query.positive),
        *(~_matches(term) for term in query.negative),
        *_local_conditions(filters),
    ]
    source: FromClause = _S
    if filters.needs_messages():
        source = _S.join(Message, Message.id == _S.c.message_id)
        where += conditions(filters, tenant_id=tenant_id)
    # psycopg prepares a statement run 5 times; PostgreSQL's generic plan for it then leaves the
    # tsquery builders (unaccent included) to run once per row instead of once.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    rank = _rank(query).label("rank")
    statement = (
        select(_S.c.message_id, rank, func.count().over().label("total"))
        .select_from(source)
        .where(*where)
        .order_by(rank.desc(), _S.c.sent_at.desc(), _S.c.message_id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(statement).all()
    if rows:
        return [(row.message_id, float(row.rank)) for row in rows], int(rows[0].total)
    if offset == 0:
        return [], 0
    total = session.execute(select(func.count()).select_from(source).where(*where)).scalar_one()
    return [], int(total)
