"""Tombstones: what a purge removed or an erasure rewrote, so the chain stays verifiable.

1. A purge batch or an erasure is a chained record of its own (`purges`, `erasures`), written
   in the transaction that removes or rewrites the rows. Its `digest` is SHA-256 over its
   tombstones, so a tombstone added, dropped or edited later shows as a modified record.
2. A tombstone names one chained record and the content hash the chain expected of it at that
   moment: its link's, or the new hash of the last erasure that rewrote it. An erasure's
   tombstone also carries the rewritten row's hash.
3. `verify` follows a link's content hash through the erasure tombstones that name it: a row
   whose hash is reached was erased, a missing row whose hash a purge tombstone names was
   purged. Anything else is still modified or missing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from atalaia.archive.chain import PendingRecord, SignerFactory, append, checkpoint_now
from atalaia.archive.records import HASHED_COLUMNS
from atalaia.db.models import ChainLink, Erasure, Purge, Tombstone
from atalaia.domain.enums import RecordType

PURGE: Final = RecordType.PURGE.value
ERASURE: Final = RecordType.ERASURE.value
ID_CHUNK: Final = 500

RecordRef = tuple[str, int]  # (record type, id)


@dataclass(frozen=True, slots=True)
class Entry:
    record_type: str
    record_id: int
    content_hash: str  # what the chain expected of the record before
    new_hash: str | None = None  # an erasure's rewritten row; None for a purge

    def line(self) -> bytes:
        return f"{self.record_type}|{self.record_id}|{self.content_hash}|{self.new_hash or ''}\n".encode("ascii")


def digest(entries: Iterable[Entry]) -> str:
    """SHA-256 over the entries in a fixed order, however they were read."""
    ordered = sorted(entries, key=lambda e: (e.record_type, e.record_id, e.content_hash, e.new_hash or ""))
    hasher = hashlib.sha256()
    for entry in ordered:
        hasher.update(entry.line())
    return hasher.hexdigest()


def fold(link_hash: str, tombstones: Iterable[Any]) -> tuple[str, bool]:
    """(the hash expected of the row now, whether a purge took it): the link's hash carried
    through the erasures that rewrote it, in order. Each tombstone needs `batch_type`,
    `content_hash` and `new_hash`; ones for another record with the same id do not match."""
    expected = link_hash
    for tombstone in tombstones:
        if tombstone.content_hash != expected:
            continue
        if tombstone.batch_type == PURGE:
            return expected, True
        if tombstone.new_hash is not None:
            expected = tombstone.new_hash
    return expected, False


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def tombstones_for(
    session: Session, *, tenant_id: int, refs: Mapping[str, Collection[int]], batch_type: str | None = None
) -> dict[RecordRef, list[Tombstone]]:
    """The tombstones naming these records, oldest first."""
    found: dict[RecordRef, list[Tombstone]] = {}
    for record_type, ids in refs.items():
        for chunk in _chunks(sorted(set(ids))):
            query = select(Tombstone).where(
                Tombstone.tenant_id == tenant_id,
                Tombstone.record_type == record_type,
                Tombstone.record_id.in_(chunk),
            )
            if batch_type is not None:
                query = query.where(Tombstone.batch_type == batch_type)
            for row in session.execute(query.order_by(Tombstone.id)).scalars():
                found.setdefault((row.record_type, row.record_id), []).append(row)
    return found


def expected_hashes(session: Session, *, tenant_id: int, refs: Mapping[str, Collection[int]]) -> dict[RecordRef, str]:
    """The content hash the chain expects of each of these records now; unchained ones are absent.

    The latest link naming the record (SQLite may reuse a purged row's id), carried through the
    erasures that rewrote it.
    """
    links: dict[RecordRef, tuple[int, str]] = {}
    for record_type, ids in refs.items():
        for chunk in _chunks(sorted(set(ids))):
            for record_id, seq, content_hash in session.execute(
                select(ChainLink.record_id, ChainLink.seq, ChainLink.content_hash).where(
                    ChainLink.tenant_id == tenant_id,
                    ChainLink.record_type == record_type,
                    ChainLink.record_id.in_(chunk),
                )
            ):
                key = (record_type, record_id)
                if key not in links or links[key][0] < seq:
                    links[key] = (seq, content_hash)
    erased = tombstones_for(session, tenant_id=tenant_id, refs=refs, batch_type=ERASURE)
    return {key: fold(content_hash, erased.get(key, ()))[0] for key, (_, content_hash) in links.items()}


def record_batch(
    session: Session,
    *,
    batch: Purge | Erasure,
    entries: Sequence[Entry],
    signer: SignerFactory,
    checkpoint_every: int,
) -> None:
    """Store the batch with its digest and tombstones, chain it, and sign the head at once, so
    what was removed is sealed before anything else is archived."""
    batch.records = len(entries)
    batch.digest = digest(entries)
    session.add(batch)
    session.flush()
    record_type = RecordType.PURGE if isinstance(batch, Purge) else RecordType.ERASURE
    if entries:
        session.execute(
            insert(Tombstone),
            [
                {
                    "tenant_id": batch.tenant_id,
                    "batch_type": record_type.value,
                    "batch_id": batch.id,
                    "record_type": entry.record_type,
                    "record_id": entry.record_id,
                    "content_hash": entry.content_hash,
                    "new_hash": entry.new_hash,
                }
                for entry in entries
            ],
        )
    row = {name: getattr(batch, name) for name in HASHED_COLUMNS[record_type]}
    append(
        session,
        tenant_id=batch.tenant_id,
        records=[PendingRecord(record_type, row)],
        signer=signer,
        checkpoint_every=checkpoint_every,
    )
    checkpoint_now(session, tenant_id=batch.tenant_id, signer=signer)
