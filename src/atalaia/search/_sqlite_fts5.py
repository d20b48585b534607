"""SQLite: one FTS5 table, `message_search(body, stems)`, keyed by the message id as its rowid.

The table keeps its own copy of each document (neither external content nor contentless):
SQLite 3.40, what Python ships today, can only delete from a contentless or external-content
table by handing back the exact text that was indexed, and an erased or anonymised message no
longer has it. The copy costs disk (the text once more, plus its stems) and buys deletes that
cannot go wrong. `body` is the document; the unicode61 tokenizer with `remove_diacritics 2`
folds case and accents. `stems` holds one folded Portuguese stem per word (see `_text`), since
FTS5 has no Portuguese stemmer. The tokenizer is per table; both columns use it.

Queries are built from the parsed terms only: each term's text goes inside FTS5 double quotes
with inner quotes doubled (datasette's `escape_fts`), so nothing typed is ever FTS5 syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import ColumnClause, Integer, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from atalaia.db.models import Message
from atalaia.search._documents import MessageTexts, chunks
from atalaia.search._filters import SearchFilters, conditions
from atalaia.search._query import ParsedQuery, Term
from atalaia.search._text import stems_of

TABLE: Final = "message_search"
BODY_WEIGHT: Final = 2.0  # bm25 weight: the words as written count more than a shared stem
STEMS_WEIGHT: Final = 1.0

_FTS = table(TABLE, column("rowid", Integer), column("body"), column("stems"))
_INSERT = text("INSERT OR REPLACE INTO message_search (rowid, body, stems) VALUES (:id, :body, :stems)")


def write(session: Session, docs: Sequence[MessageTexts]) -> None:
    rows: list[dict[str, Any]] = []
    empty: list[int] = []
    for doc in docs:
        body = doc.document()
        if body:
            rows.append({"id": doc.message_id, "body": body, "stems": stems_of(body)})
        else:
            empty.append(doc.message_id)
    if rows:
        # OR REPLACE: a reused rowid (SQLite may hand out a deleted message's id again) never fails.
        session.execute(_INSERT, rows)
    if empty:
        delete(session, empty)


def delete(session: Session, message_ids: Sequence[int]) -> None:
    for chunk in chunks(list(message_ids)):
        session.execute(_FTS.delete().where(_FTS.c.rowid.in_(chunk)))


def delete_tenant(session: Session, tenant_id: int) -> None:
    session.execute(
        _FTS.delete().where(
            _FTS.c.rowid.in_(select(Message.id).where(Message.tenant_id == tenant_id).scalar_subquery())
        )
    )


def quote(value: str) -> str:
    """An FTS5 string: everything inside is literal text, a double quote is written twice."""
    return '"' + value.replace('"', '""') + '"'


def _term(term: Term) -> str:
    body = "{body} : " + quote(" ".join(term.words)) + (" *" if term.prefix else "")
    if term.prefix:
        return f"({body})"  # a prefix of a stem means little: prefixes match the words as written
    return f"({body} OR {{stems}} : {quote(' '.join(term.stems))})"


def match_expression(query: ParsedQuery) -> str:
    """The FTS5 MATCH string: positive terms ANDed, then each exclusion as a binary NOT."""
    expression = "(" + " AND ".join(_term(term) for term in query.positive) + ")"
    for term in query.negative:
        expression += " NOT " + _term(term)
    return expression


def match(
    session: Session,
    *,
    query: ParsedQuery,
    tenant_id: int,
    filters: SearchFilters,
    limit: int,
    offset: int,
) -> tuple[list[tuple[int, float]], int]:
    """(message id, score) for one page, best first, and the total; a higher score is better."""
    where = conditions(filters, tenant_id=tenant_id)  # the FTS table holds no tenant: messages do
    fts: ColumnClause[Any] = literal_column(TABLE)
    # Matched first, materialised, then joined: bm25() only works in the query that scans the
    # FTS table, and unmaterialised SQLite would flatten this into one FTS lookup per message.
    matched = (
        select(_FTS.c.rowid.label("id"), func.bm25(fts, BODY_WEIGHT, STEMS_WEIGHT).label("rank"))
        .where(fts.op("MATCH")(match_expression(query)))
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        select(Message.id, matched.c.rank, func.count().over().label("total"))
        .select_from(matched)
        .join(Message, Message.id == matched.c.id)
        .where(*where)
        .order_by(matched.c.rank, Message.sent_at.desc(), Message.id.desc())  # bm25: lower is better
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(statement).all()
    if rows:
        return [(row.id, -float(row.rank)) for row in rows], int(rows[0].total)
    if offset == 0:
        return [], 0
    total = session.execute(
        select(func.count()).select_from(matched).join(Message, Message.id == matched.c.id).where(*where)
    ).scalar_one()
    return [], int(total)
