"""Edits, deletions, reactions and statuses: records about a message, stored in their own rows.

They can arrive before the message they name (webhooks are unordered, a history backfill comes
later), so each keeps the target's provider id and links to the message row when both exist.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from atalaia.archive.chain import PendingRecord
from atalaia.archive.sanitize import bounded_id, clean_text, clip
from atalaia.db.models import DeliveryStatusRecord, Message, Reaction, Revision, Revocation
from atalaia.db.upsert import insert_ignore
from atalaia.domain.enums import RecordType
from atalaia.domain.events import ArchiveEvent, EditEvent, ReactionEvent, RevokeEvent, StatusEvent
from atalaia.search import reindex_messages

REVISIONS: Table = Revision.__table__  # type: ignore[assignment]
REVOCATIONS: Table = Revocation.__table__  # type: ignore[assignment]
REACTIONS: Table = Reaction.__table__  # type: ignore[assignment]
STATUSES: Table = DeliveryStatusRecord.__table__  # type: ignore[assignment]


@dataclass(slots=True)
class FollowupCounts:
    revisions: int = 0
    revocations: int = 0
    reactions: int = 0
    statuses: int = 0


def synthetic_event_id(*parts: object) -> str:
    """A stable id for an event the provider gave none, so that replays still de-duplicate."""
    material = "|".join(str(part) for part in parts).encode("utf-8", "surrogatepass")
    return "synthetic:" + hashlib.sha256(material).hexdigest()[:40]


def store(
    session: Session,
    *,
    tenant_id: int,
    events: Sequence[tuple[int, ArchiveEvent]],
    contact_ids: Mapping[str, int],
    pending: list[PendingRecord],
) -> dict[int, FollowupCounts]:
    """Store (line id, event) follow-ups of any number of lines; new-record counts per line."""
    counts: dict[int, FollowupCounts] = defaultdict(FollowupCounts)
    if not events:
        return counts
    targets = _message_ids(
        session,
        wanted={(line_id, bounded_id(e.target_message_id)) for line_id, e in events},  # type: ignore[union-attr]
    )
    edits, revokes, reactions, statuses = [], [], [], []
    for line_id, event in events:
        target = bounded_id(event.target_message_id)  # type: ignore[union-attr]
        common = {"tenant_id": tenant_id, "line_id": line_id, "target_message_id": target,
                  "message_id": targets.get((line_id, target))}  # fmt: skip
        if isinstance(event, EditEvent):
            text = clean_text(event.new_text) or ""
            event_id = event.provider_event_id or synthetic_event_id("edit", target, event.edited_at, text)
            edits.append(
                {**common, "provider_event_id": bounded_id(event_id), "text": text,
                 "edited_at": event.edited_at, "raw": event.raw}
            )  # fmt: skip
        elif isinstance(event, RevokeEvent):
            event_id = event.provider_event_id or synthetic_event_id("revoke", target, event.revoked_at)
            revokes.append(
                {**common, "provider_event_id": bounded_id(event_id), "by_line": event.by_line,
                 "revoked_at": event.revoked_at, "raw": event.raw}
            )  # fmt: skip
        elif isinstance(event, ReactionEvent):
            author = contact_ids.get(bounded_id(event.author.key)) if event.author else None
            reactions.append(
                {**common, "provider_event_id": bounded_id(event.provider_event_id),
                 "author_contact_id": author, "emoji": clip(event.emoji, 32) or "",
                 "reacted_at": event.reacted_at, "raw": event.raw}
            )  # fmt: skip
        elif isinstance(event, StatusEvent):
            statuses.append(
                {**common, "status": event.status.value, "at": event.at,
                 "recipient": clip(event.recipient, 200), "errors": list(event.errors) or None,
                 "raw": event.raw}
            )  # fmt: skip
    by_event = ["line_id", "provider_event_id"]
    new_edits = _insert(session, REVISIONS, edits, by_event, RecordType.REVISION, pending)
    new_revokes = _insert(session, REVOCATIONS, revokes, by_event, RecordType.REVOCATION, pending)
    new_reactions = _insert(session, REACTIONS, reactions, by_event, RecordType.REACTION, pending)
    new_statuses = _insert(
        session, STATUSES, statuses, ["line_id", "target_message_id", "status"], RecordType.STATUS, pending
    )
    for rows, name in ((new_edits, "revisions"), (new_revokes, "revocations"), (new_reactions, "reactions"),
                       (new_statuses, "statuses")):  # fmt: skip
        for row in rows:
            count = counts[row["line_id"]]
            setattr(count, name, getattr(count, name) + 1)
    _mark_messages(session, edits=new_edits, revokes=new_revokes)
    reindex_messages(session, {row["message_id"] for row in new_edits if row["message_id"] is not None})
    return counts


def adopt_orphans(session: Session, *, messages: Mapping[tuple[int, str], int]) -> None:
    """Link records that arrived before their message, and mark the message edited or deleted.

    `messages` maps (line id, provider id) of newly stored messages to their row ids.
    """
    if not messages:
        return
    line_ids = {line_id for line_id, _ in messages}
    provider_ids = {provider_id for _, provider_id in messages}
    edits: list[dict[str, Any]] = []
    revokes: list[dict[str, Any]] = []
    for table, sink in ((REVISIONS, edits), (REVOCATIONS, revokes), (REACTIONS, None), (STATUSES, None)):
        orphans = session.execute(
            select(table).where(
                table.c.line_id.in_(line_ids),
                table.c.message_id.is_(None),
                table.c.target_message_id.in_(provider_ids),
            )
        ).mappings()
        for orphan in orphans:
            message_id = messages.get((orphan["line_id"], orphan["target_message_id"]))
            if message_id is None:
                continue  # another line's message with the same provider id
            session.execute(update(table).where(table.c.id == orphan["id"]).values(message_id=message_id))
            if sink is not None:
                sink.append({**orphan, "message_id": message_id})
    _mark_messages(session, edits=edits, revokes=revokes)


def _message_ids(session: Session, *, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    if not wanted:
        return {}
    rows = session.execute(
        select(Message.line_id, Message.provider_message_id, Message.id).where(
            Message.line_id.in_({line_id for line_id, _ in wanted}),
            Message.provider_message_id.in_({provider_id for _, provider_id in wanted}),
        )
    )
    return {(r.line_id, r.provider_message_id): r.id for r in rows if (r.line_id, r.provider_message_id) in wanted}


def _insert(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    conflict: list[str],
    record_type: RecordType,
    pending: list[PendingRecord],
) -> list[dict[str, Any]]:
    by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        by_key.setdefault(tuple(row[c] for c in conflict), row)
    inserted = insert_ignore(
        session, table, list(by_key.values()), conflict_columns=conflict, returning=["id", *conflict]
    )
    new_rows = []
    for returned in inserted:
        row = by_key[tuple(returned[1:])]
        row["id"] = returned[0]
        new_rows.append(row)
    new_rows.sort(key=lambda row: row["id"])
    pending.extend(PendingRecord(record_type, row) for row in new_rows)
    return new_rows


def _mark_messages(
    session: Session, *, edits: Sequence[Mapping[str, Any]], revokes: Sequence[Mapping[str, Any]]
) -> None:
    for row in edits:
        if row["message_id"] is not None:
            session.execute(
                update(Message)
                .where(Message.id == row["message_id"])
                .where((Message.edited_at.is_(None)) | (Message.edited_at < row["edited_at"]))
                .values(edited_at=row["edited_at"])
            )
    for row in revokes:
        if row["message_id"] is not None:
            session.execute(
                update(Message)
                .where(Message.id == row["message_id"], Message.revoked_at.is_(None))
                .values(revoked_at=row["revoked_at"])
            )
