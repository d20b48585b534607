"""The audit log: every read of archived content, search, export and administrative change.

Entries are hash-chained per tenant like the archive, so a deleted or edited entry shows in
`atalaia verify`. Appending locks the tenant's chain head row for the rest of the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from atalaia.archive.records import audit_hash
from atalaia.archive.sanitize import clip
from atalaia.db.models import AuditEntry, ChainHead


def record(
    session: Session,
    *,
    tenant_id: int,
    actor: str,
    action: str,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    head = session.execute(
        select(ChainHead.audit_seq, ChainHead.audit_hash).where(ChainHead.tenant_id == tenant_id).with_for_update()
    ).one()
    row: dict[str, Any] = {
        "tenant_id": tenant_id,
        "seq": head.audit_seq + 1,
        "at": datetime.now(UTC),
        "actor": clip(actor, 320),
        "user_id": user_id,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else clip(str(object_id), 80),
        "outcome": outcome,
        "detail": detail,
        "ip": clip(ip, 64),
        "prev_hash": head.audit_hash,
    }
    row["hash"] = audit_hash(row)
    session.add(AuditEntry(**row))
    session.execute(
        update(ChainHead).where(ChainHead.tenant_id == tenant_id).values(audit_seq=row["seq"], audit_hash=row["hash"])
    )
