"""The signed checkpoint an export is cut from: everything exported is covered by its signature.

A fresh checkpoint is signed when the export starts (a no-op when the head is already signed),
in the same transaction that reads it back, so the export reports exactly the one it used. The
reader then takes only records whose chain link is at or before its sequence number; anyone can
check the signature offline with the tenant's public key, which the manifest carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from atalaia.archive.chain import checkpoint_now
from atalaia.db.engine import transaction
from atalaia.db.models import Checkpoint, Tenant
from atalaia.domain.chain import checkpoint_message
from atalaia.runtime import Runtime


@dataclass(frozen=True, slots=True)
class CheckpointCut:
    id: int
    tenant_id: int
    seq: int
    head_hash: str
    signature: bytes
    created_at: datetime
    public_key: bytes

    @property
    def signed_message(self) -> str:
        return checkpoint_message(tenant_id=self.tenant_id, seq=self.seq, head_hash=self.head_hash).decode("ascii")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "head_hash": self.head_hash,
            "signature": self.signature.hex(),
            "created_at": self.created_at.isoformat(),
            "algorithm": "Ed25519",
            "public_key": self.public_key.hex(),
            "signed_message": self.signed_message,
        }


def cut_checkpoint(runtime: Runtime, tenant: Tenant) -> CheckpointCut:
    """Sign the tenant's current chain head (unless already signed) and return that checkpoint."""
    signer = runtime.signer(tenant)
    with transaction(runtime.sessions) as session:
        checkpoint_now(session, tenant_id=tenant.id, signer=lambda: signer)
        session.flush()
        latest = session.execute(
            select(Checkpoint)
            .where(Checkpoint.tenant_id == tenant.id)
            .order_by(Checkpoint.seq.desc(), Checkpoint.id.desc())
            .limit(1)
        ).scalar_one()
        return CheckpointCut(
            id=latest.id,
            tenant_id=tenant.id,
            seq=latest.seq,
            head_hash=latest.head_hash,
            signature=latest.signature,
            created_at=latest.created_at,
            public_key=tenant.signing_public_key,
        )
