"""Keeping the index in step with the archive, in the archive's own transaction.

The writer calls `index_messages` once per batch with the rows it has just inserted, and the
follow-ups call `reindex_messages` once per batch with the messages that got an edit. A
deletion for everyone changes nothing here: the original stays searchable, and the `deleted`
filter reads `messages.revoked_at`. Erasure and retention call `remove_from_index` (on
PostgreSQL a deleted message also leaves the index by its foreign key; on SQLite it must be
told). `rebuild_index` rebuilds a tenant from the archive, e.g. after a bulk import.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.db.models import Message
from atalaia.search import _postgres, _sqlite_fts5
from atalaia.search._documents import INDEXED_COLUMNS, MessageTexts, chunks, load_texts
from atalaia.search._filters import SearchFilters
from atalaia.search._query import ParsedQuery

REBUILD_BATCH: Final = 2_000  # messages per round trip when rebuilding a tenant


class Backend(Protocol):
    def write(self, session: Session, docs: Sequence[MessageTexts]) -> None: ...

    def delete(self, session: Session, message_ids: Sequence[int]) -> None: ...

    def delete_tenant(self, session: Session, tenant_id: int) -> None: ...

    def match(
        self,
        session: Session,
        *,
        query: ParsedQuery,
        tenant_id: int,
        filters: SearchFilters,
        limit: int,
        offset: int,
    ) -> tuple[list[tuple[int, float]], int]: ...


def backend_for(session: Session) -> Backend:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return _postgres
    if name == "sqlite":
        return _sqlite_fts5
    raise NotImplementedError(f"no full-text search for {name}")


def index_messages(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Index messages just inserted; each row needs `id`, `tenant_id`, `line_id`, `sent_at`, `direction`
    and `text` (the writer's rows have them).

    Their revisions (edits that arrived first) and attachments are read in one query each.
    """
    if not rows:
        return
    by_id = {int(row["id"]): row for row in rows}
    backend_for(session).write(session, load_texts(session, message_ids=list(by_id), rows=by_id))


def reindex_messages(session: Session, message_ids: Collection[int]) -> None:
    """Index these messages again from the archive, e.g. after an edit or an anonymisation."""
    if not message_ids:
        return
    backend_for(session).write(session, load_texts(session, message_ids=list(message_ids)))


def remove_from_index(session: Session, message_ids: Collection[int]) -> None:
    """Forget these messages' texts in the index (erasure, retention purge)."""
    if message_ids:
        backend_for(session).delete(session, list(message_ids))


def matching_ids(session: Session, *, tenant_id: int, query: ParsedQuery, message_ids: Collection[int]) -> set[int]:
    """Which of these messages `query` finds (a legal hold on a search); nothing is audited."""
    found: set[int] = set()
    backend = backend_for(session)
    for chunk in chunks(sorted(set(message_ids))):
        page, _ = backend.match(
            session,
            query=query,
            tenant_id=tenant_id,
            filters=SearchFilters(scope=Message.id.in_(chunk)),
            limit=len(chunk),
            offset=0,
        )
        found.update(message_id for message_id, _ in page)
    return found


def rebuild_index(
    session: Session,
    tenant_id: int,
    *,
    batch_size: int = REBUILD_BATCH,
    progress: Callable[[int], None] | None = None,
    extracted: bool = True,
) -> int:
    """Drop and rebuild one tenant's index from the archive; returns the messages indexed.

    1. Remove every index entry of the tenant.
    2. Walk its messages by id, `batch_size` at a time (keyset, not OFFSET), and index each batch.
    The caller owns the transaction, as for archiving. `extracted=False` leaves attachment text
    out: migration 0002 runs before the table holding it exists.
    """
    backend = backend_for(session)
    backend.delete_tenant(session, tenant_id)
    done, last_id = 0, 0
    while True:
        rows = session.execute(
            select(*INDEXED_COLUMNS)
            .where(Message.tenant_id == tenant_id, Message.id > last_id)
            .order_by(Message.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return done
        by_id = {row.id: row._mapping for row in rows}
        backend.write(session, load_texts(session, message_ids=list(by_id), rows=by_id, extracted=extracted))
        done += len(rows)
        last_id = rows[-1].id
        if progress is not None:
            progress(len(rows))
