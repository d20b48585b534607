"""Finding tampering done behind the application's back.

1. Walk the tenant's chain links in sequence order. A gap in the sequence means links were
   removed; a link whose hash does not match its own fields was altered; a link whose
   predecessor hash is not the previous link's hash was moved (reordered) or forged.
2. For each link, re-hash the record it names: a different hash means the row was modified,
   no row means it was deleted.
3. Any archived row that no link names was inserted behind the application's back.
4. Each signed checkpoint must verify with the tenant's public key and match the link at its
   sequence number; a chain that ends before the last checkpoint was truncated.
5. The audit log is its own chain and is checked the same way.
6. Purges and erasures are chained records whose tombstones say which rows they removed or
   rewrote (archive/tombstones.py). Each one's tombstones must match its digest; a row they
   account for is counted as purged or erased, not reported as missing or modified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from atalaia.archive.records import AUDIT_HASHED, TABLES, audit_hash, content_hash
from atalaia.archive.tombstones import ERASURE, PURGE, Entry, digest, fold, tombstones_for
from atalaia.db.models import AuditEntry, ChainHead, ChainLink, Checkpoint, Erasure, Purge, Tombstone
from atalaia.domain.chain import GENESIS_HASH, checkpoint_message, link_hash
from atalaia.domain.enums import RecordType
from atalaia.security.keys import verify_signature

CHUNK = 5000
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Problem:
    record: str  # "message:42", "chain:17", "checkpoint:3", "audit:9"
    kind: str  # modified | missing | inserted | reordered
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"record": self.record, "kind": self.kind, "detail": self.detail}


@dataclass(slots=True)
class VerifyReport:
    records: int = 0
    audit_entries: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    purged: int = 0  # chained records a purge removed on purpose
    erased: int = 0  # chained records an erasure rewrote on purpose
    purges: int = 0  # purge batches, each a chained record
    erasures: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "audit_entries": self.audit_entries,
            "checkpoints": self.checkpoints,
            "problems": [p.as_dict() for p in self.problems],
            "purged": self.purged,
            "erased": self.erased,
            "purges": self.purges,
            "erasures": self.erasures,
        }


def verify_tenant(
    session: Session, *, tenant_id: int, public_key: bytes, progress: Progress | None = None
) -> VerifyReport:
    report = VerifyReport()
    batches = _verify_batches(session, tenant_id=tenant_id, report=report)
    link_hashes = _verify_links(session, tenant_id=tenant_id, report=report, progress=progress, batches=batches)
    _find_inserted(session, tenant_id=tenant_id, report=report)
    _verify_checkpoints(session, tenant_id=tenant_id, public_key=public_key, link_hashes=link_hashes, report=report)
    _verify_audit(session, tenant_id=tenant_id, report=report)
    return report


def _links(session: Session, tenant_id: int) -> Iterator[list[ChainLink]]:
    last = 0
    while True:
        chunk = list(
            session.execute(
                select(ChainLink)
                .where(ChainLink.tenant_id == tenant_id, ChainLink.seq > last)
                .order_by(ChainLink.seq)
                .limit(CHUNK)
            ).scalars()
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1].seq
        session.expunge_all()  # keep memory flat over millions of links


def _verify_links(
    session: Session,
    *,
    tenant_id: int,
    report: VerifyReport,
    progress: Progress | None,
    batches: set[tuple[str, int]] | None = None,
) -> dict[int, str]:
    """Walk the chain; returns seq -> link hash for the checkpointed positions check.

    `batches`: the purges and erasures whose tombstones match their digest; only those account
    for a missing or rewritten row.
    """
    checkpoint_seqs = set(session.execute(select(Checkpoint.seq).where(Checkpoint.tenant_id == tenant_id)).scalars())
    kept: dict[int, str] = {}
    prev, expected = GENESIS_HASH, 1
    for chunk in _links(session, tenant_id):
        rows = _rows_for(session, chunk)
        tombstones = _tombstones(session, tenant_id, chunk, batches) if batches else {}
        for link in chunk:
            report.records += 1
            if link.seq > expected:
                report.problems.append(
                    Problem(f"chain:{expected}", "missing", f"chain links {expected}..{link.seq - 1} were removed")
                )
            recomputed = link_hash(
                prev_hash=link.prev_hash,
                record_type=link.record_type,
                record_id=link.record_id,
                content_hash=link.content_hash,
            )
            name = f"{link.record_type}:{link.record_id}"
            if recomputed != link.hash:
                report.problems.append(Problem(f"chain:{link.seq}", "modified", f"chain link for {name} was altered"))
            elif link.prev_hash != prev and link.seq == expected:
                report.problems.append(
                    Problem(name, "reordered", f"chain link {link.seq} does not follow link {link.seq - 1}")
                )
            row = rows.get((link.record_type, link.record_id))
            _check_row(report, link, name, row, tombstones.get((link.record_type, link.record_id), ()))
            if link.seq in checkpoint_seqs:
                kept[link.seq] = link.hash
            prev, expected = link.hash, link.seq + 1
        if progress is not None:
            progress(len(chunk))
    head = session.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.tenant_id == tenant_id)).one_or_none()
    if head is not None and head.seq >= expected:
        report.problems.append(
            Problem(f"chain:{expected}", "missing", f"chain links {expected}..{head.seq} were removed")
        )
    elif head is not None and head.seq == expected - 1 and head.hash != prev:
        report.problems.append(Problem(f"chain:{head.seq}", "modified", "chain head does not match the last link"))
    return kept


def _check_row(
    report: VerifyReport, link: ChainLink, name: str, row: dict[str, Any] | None, tombstones: Sequence[Tombstone]
) -> None:
    """The record a link names: as archived, or purged or erased on purpose, or a problem."""
    actual = None if row is None else content_hash(RecordType(link.record_type), row)
    if actual is not None and actual == link.content_hash:
        return
    now_expected, purged = fold(link.content_hash, tombstones)
    if purged:
        report.purged += 1  # a row there now is a later record that reuses the id (SQLite)
    elif actual is None:
        report.problems.append(Problem(name, "missing", f"{link.record_type} row was deleted"))
    elif actual == now_expected:
        report.erased += 1
    else:
        report.problems.append(Problem(name, "modified", "stored fields differ from what was archived"))


def _tombstones(
    session: Session, tenant_id: int, links: list[ChainLink], batches: set[tuple[str, int]]
) -> dict[tuple[str, int], list[Tombstone]]:
    """Tombstones of valid batches naming this chunk's records."""
    wanted: dict[str, list[int]] = {}
    for link in links:
        wanted.setdefault(link.record_type, []).append(link.record_id)
    found = tombstones_for(session, tenant_id=tenant_id, refs=wanted)
    return {
        key: kept
        for key, rows in found.items()
        if (kept := [row for row in rows if (row.batch_type, row.batch_id) in batches])
    }


def _verify_batches(session: Session, *, tenant_id: int, report: VerifyReport) -> set[tuple[str, int]]:
    """Check each purge's and erasure's tombstones against its digest; returns the sound ones.

    A batch whose tombstones changed is reported as modified and accounts for nothing; a
    tombstone of no batch was inserted.
    """
    sound: set[tuple[str, int]] = set()
    for batch_type, model in ((PURGE, Purge), (ERASURE, Erasure)):
        batches = session.execute(
            select(model.id, model.records, model.digest).where(model.tenant_id == tenant_id).order_by(model.id)
        ).all()
        for batch_id, records, stored_digest in batches:
            entries = [
                Entry(row.record_type, row.record_id, row.content_hash, row.new_hash)
                for row in session.execute(
                    select(
                        Tombstone.record_type, Tombstone.record_id, Tombstone.content_hash, Tombstone.new_hash
                    ).where(
                        Tombstone.tenant_id == tenant_id,
                        Tombstone.batch_type == batch_type,
                        Tombstone.batch_id == batch_id,
                    )
                )
            ]
            if len(entries) != records or digest(entries) != stored_digest:
                report.problems.append(
                    Problem(f"{batch_type}:{batch_id}", "modified", f"the records this {batch_type} names were altered")
                )
                continue
            sound.add((batch_type, batch_id))
        if batch_type == PURGE:
            report.purges = len(batches)
        else:
            report.erasures = len(batches)
        orphans = select(Tombstone.id).where(
            Tombstone.tenant_id == tenant_id,
            Tombstone.batch_type == batch_type,
            Tombstone.batch_id.not_in(select(model.id).where(model.tenant_id == tenant_id)),
        )
        for tombstone_id in session.execute(orphans.order_by(Tombstone.id)).scalars():
            report.problems.append(Problem(f"tombstone:{tombstone_id}", "inserted", f"names no {batch_type}"))
    return sound


def _rows_for(session: Session, links: list[ChainLink]) -> dict[tuple[str, int], dict[str, Any]]:
    wanted: dict[str, list[int]] = {}
    for link in links:
        wanted.setdefault(link.record_type, []).append(link.record_id)
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for record_type, ids in wanted.items():
        table = TABLES.get(RecordType(record_type)) if record_type in RecordType._value2member_map_ else None
        if table is None:
            continue
        for row in session.execute(select(table).where(table.c.id.in_(ids))).mappings():
            rows[(record_type, row["id"])] = dict(row)
    return rows


def _find_inserted(session: Session, *, tenant_id: int, report: VerifyReport) -> None:
    for record_type, table in TABLES.items():
        query = (
            select(table.c.id)
            .outerjoin(
                ChainLink,
                and_(
                    ChainLink.tenant_id == tenant_id,
                    ChainLink.record_type == record_type.value,
                    ChainLink.record_id == table.c.id,
                ),
            )
            .where(table.c.tenant_id == tenant_id, ChainLink.id.is_(None))
            .order_by(table.c.id)
        )
        if record_type is RecordType.ATTACHMENT:
            # Attachments join the chain when their bytes are stored; until then they are pending.
            query = query.where(table.c.sha256.is_not(None))
        for record_id in session.execute(query).scalars():
            report.problems.append(
                Problem(
                    f"{record_type.value}:{record_id}",
                    "inserted",
                    f"{record_type.value} row is not in the chain",
                )
            )


def _verify_checkpoints(
    session: Session, *, tenant_id: int, public_key: bytes, link_hashes: dict[int, str], report: VerifyReport
) -> None:
    for checkpoint in session.execute(
        select(Checkpoint).where(Checkpoint.tenant_id == tenant_id).order_by(Checkpoint.seq)
    ).scalars():
        report.checkpoints += 1
        message = checkpoint_message(tenant_id=tenant_id, seq=checkpoint.seq, head_hash=checkpoint.head_hash)
        name = f"checkpoint:{checkpoint.id}"
        if not verify_signature(public_key, checkpoint.signature, message):
            report.problems.append(Problem(name, "modified", "checkpoint signature does not verify"))
        elif checkpoint.seq == 0:
            continue
        elif checkpoint.seq not in link_hashes:
            report.problems.append(
                Problem(name, "missing", f"the signed chain reached link {checkpoint.seq}, which is gone")
            )
        elif link_hashes[checkpoint.seq] != checkpoint.head_hash:
            report.problems.append(
                Problem(name, "modified", f"chain up to link {checkpoint.seq} differs from what was signed")
            )


def _verify_audit(session: Session, *, tenant_id: int, report: VerifyReport) -> None:
    prev, expected = GENESIS_HASH, 1
    last = 0
    while True:
        chunk = list(
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.tenant_id == tenant_id, AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(CHUNK)
            ).scalars()
        )
        if not chunk:
            break
        for entry in chunk:
            report.audit_entries += 1
            name = f"audit:{entry.seq}"
            if entry.seq > expected:
                report.problems.append(Problem(f"audit:{expected}", "missing", "audit entries were removed"))
            row = {column: getattr(entry, column) for column in AUDIT_HASHED}
            if audit_hash(row) != entry.hash:
                report.problems.append(Problem(name, "modified", "audit entry was altered"))
            elif entry.prev_hash != prev and entry.seq == expected:
                report.problems.append(Problem(name, "reordered", "audit entry does not follow its predecessor"))
            prev, expected = entry.hash, entry.seq + 1
        last = chunk[-1].seq
        session.expunge_all()
    head = session.execute(select(ChainHead.audit_seq).where(ChainHead.tenant_id == tenant_id)).scalar_one_or_none()
    if head is not None and head >= expected:
        report.problems.append(
            Problem(f"audit:{expected}", "missing", f"audit entries {expected}..{head} were removed")
        )
