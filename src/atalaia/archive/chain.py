"""Appending to a tenant's hash chain and signing checkpoints (the database side of domain.chain)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from atalaia.archive.records import content_hash
from atalaia.db.models import ChainHead, ChainLink, Checkpoint
from atalaia.domain.chain import GENESIS_HASH, checkpoint_message, link_hash
from atalaia.domain.enums import RecordType

SignerFactory = Callable[[], Ed25519PrivateKey]


@dataclass(frozen=True, slots=True)
class PendingRecord:
    record_type: RecordType
    row: Mapping[str, Any]  # the stored values, id included


def new_head(tenant_id: int) -> ChainHead:
    return ChainHead(
        tenant_id=tenant_id,
        seq=0,
        hash=GENESIS_HASH,
        audit_seq=0,
        audit_hash=GENESIS_HASH,
        since_checkpoint=0,
    )


@dataclass(slots=True)
class HeadState:
    seq: int
    hash: str
    since_checkpoint: int


def lock_head(session: Session, tenant_id: int) -> HeadState:
    """The tenant's chain head, locked until the transaction ends (a no-op lock on SQLite,
    whose BEGIN IMMEDIATE already serialises writers)."""
    row = session.execute(
        select(ChainHead.seq, ChainHead.hash, ChainHead.since_checkpoint)
        .where(ChainHead.tenant_id == tenant_id)
        .with_for_update()
    ).one()
    return HeadState(seq=row.seq, hash=row.hash, since_checkpoint=row.since_checkpoint)


def append(
    session: Session,
    *,
    tenant_id: int,
    records: Sequence[PendingRecord],
    signer: SignerFactory,
    checkpoint_every: int,
) -> int:
    """Link `records` after the current head; sign a checkpoint when enough have accumulated."""
    if not records:
        return 0
    head = lock_head(session, tenant_id)
    seq, prev = head.seq, head.hash
    links = []
    for record in records:
        seq += 1
        digest = content_hash(record.record_type, record.row)
        current = link_hash(
            prev_hash=prev,
            record_type=record.record_type.value,
            record_id=int(record.row["id"]),
            content_hash=digest,
        )
        links.append(
            {
                "tenant_id": tenant_id,
                "seq": seq,
                "record_type": record.record_type.value,
                "record_id": record.row["id"],
                "content_hash": digest,
                "prev_hash": prev,
                "hash": current,
            }
        )
        prev = current
    session.execute(insert(ChainLink), links)
    pending = head.since_checkpoint + len(records)
    if pending >= checkpoint_every:
        sign_checkpoint(session, tenant_id=tenant_id, seq=seq, head_hash=prev, signer=signer)
        pending = 0
    session.execute(
        update(ChainHead).where(ChainHead.tenant_id == tenant_id).values(seq=seq, hash=prev, since_checkpoint=pending)
    )
    return len(records)


def sign_checkpoint(session: Session, *, tenant_id: int, seq: int, head_hash: str, signer: SignerFactory) -> None:
    signature = signer().sign(checkpoint_message(tenant_id=tenant_id, seq=seq, head_hash=head_hash))
    session.add(
        Checkpoint(
            tenant_id=tenant_id,
            seq=seq,
            head_hash=head_hash,
            signature=signature,
            created_at=datetime.now(UTC),
        )
    )


def checkpoint_now(session: Session, *, tenant_id: int, signer: SignerFactory) -> None:
    """Sign the current head (end of an import, of the demo, or on the worker's schedule)."""
    head = lock_head(session, tenant_id)
    if head.since_checkpoint == 0 and head.seq > 0:
        return
    sign_checkpoint(session, tenant_id=tenant_id, seq=head.seq, head_hash=head.hash, signer=signer)
    session.execute(update(ChainHead).where(ChainHead.tenant_id == tenant_id).values(since_checkpoint=0))
