"""Run the active policies back over the archive: after importing a new or changed policy set.

Batches of messages in id order, each in its own transaction, so a stop (Ctrl+C, a crash) keeps
what was done and the next run picks up from `after_id` (or from the start: hits are unique per
place, so scanning a message twice records nothing twice). Historical alerts are not e-mailed:
a new policy would otherwise send months of alerts in one burst; they wait in the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from atalaia.db.engine import transaction
from atalaia.db.models import AlertHit, Message
from atalaia.errors import InvalidInput
from atalaia.services.compliance.policies import active_policy_set
from atalaia.services.compliance.scanning import ScanOutcome, scan_new_messages

BATCH: Final = 1000

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class BackfillResult:
    version: int
    messages: int
    hits: int
    new_alerts: int
    updated_alerts: int
    last_message_id: int  # resume with `after_id` = this
    pending_hits: int = 0  # hits of the scanned messages below their rule's threshold at the end: no alert


def messages_after(sessions: sessionmaker[Session], *, tenant_id: int, after_id: int = 0) -> int:
    with sessions() as session:
        return int(
            session.execute(
                select(func.count()).select_from(Message).where(Message.tenant_id == tenant_id, Message.id > after_id)
            ).scalar_one()
        )


def backfill(
    sessions: sessionmaker[Session],
    *,
    tenant_id: int,
    after_id: int = 0,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> BackfillResult:
    with sessions() as session:
        policy_set = active_policy_set(session, tenant_id)
    if policy_set is None:
        raise InvalidInput("no active policies: import a policy file first (atalaia policies import FILE.yml)")
    total = ScanOutcome()
    last = after_id
    while True:
        with transaction(sessions) as session:
            ids = list(
                session.execute(
                    select(Message.id)
                    .where(Message.tenant_id == tenant_id, Message.id > last)
                    .order_by(Message.id)
                    .limit(max(1, batch))
                ).scalars()
            )
            if not ids:
                break
            total.add(scan_new_messages(session, tenant_id=tenant_id, message_ids=ids, notify=False))
        last = ids[-1]
        if progress is not None:
            progress(len(ids))
    return BackfillResult(
        version=policy_set.version,
        messages=total.messages,
        hits=total.hits,
        new_alerts=len(total.new_alerts),
        updated_alerts=total.updated_alerts,
        last_message_id=last,
        pending_hits=_pending_hits(sessions, tenant_id=tenant_id, after_id=after_id) if total.pending else 0,
    )


def _pending_hits(sessions: sessionmaker[Session], *, tenant_id: int, after_id: int) -> int:
    """Counted at the end: a hit that waited in one batch may have been counted into an alert by a later one."""
    with sessions() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(AlertHit)
                .where(AlertHit.tenant_id == tenant_id, AlertHit.alert_id.is_(None), AlertHit.message_id > after_id)
            ).scalar_one()
        )
