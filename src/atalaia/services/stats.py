"""Counts for `atalaia stats` and the console's home page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from atalaia.db.models import (
    Attachment,
    Contact,
    Conversation,
    DeliveryStatusRecord,
    JournalEntry,
    Message,
    Reaction,
    Revision,
    Revocation,
)
from atalaia.domain.enums import JournalStatus


def tenant_stats(session: Session, *, tenant_id: int, include_unrouted: bool = False) -> dict[str, Any]:
    """`include_unrouted`: also count journal entries no line claimed (rejected signatures,
    unknown phone number ids); they belong to the installation's default tenant."""

    def count(model: Any) -> int:
        return int(
            session.execute(select(func.count()).select_from(model).where(model.tenant_id == tenant_id)).scalar_one()
        )

    journal = dict(
        session.execute(
            select(JournalEntry.status, func.count())
            .where(
                or_(JournalEntry.tenant_id == tenant_id, JournalEntry.tenant_id.is_(None))
                if include_unrouted
                else JournalEntry.tenant_id == tenant_id
            )
            .group_by(JournalEntry.status)
        ).all()
    )
    return {
        "messages": count(Message),
        "conversations": count(Conversation),
        "contacts": count(Contact),
        "attachments": count(Attachment),
        "revisions": count(Revision),
        "revocations": count(Revocation),
        "reactions": count(Reaction),
        "statuses": count(DeliveryStatusRecord),
        # The contract's three verdicts: an entry still waiting to be archived was accepted.
        "journal": {
            "accepted": sum(int(journal.get(s.value, 0)) for s in (JournalStatus.ACCEPTED, JournalStatus.PENDING)),
            "rejected": int(journal.get(JournalStatus.REJECTED.value, 0)),
            "failed": int(journal.get(JournalStatus.FAILED.value, 0)),
        },
    }
