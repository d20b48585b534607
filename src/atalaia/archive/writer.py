"""The one entry point that stores normalised events: `archive_events`.

1. Contacts and conversations named by the batch are found or created.
2. Messages are inserted with ON CONFLICT DO NOTHING on (line, provider id): a retried webhook or
   a re-imported export stores nothing twice, even with two workers racing.
   The analytics rollups count the new ones in one more statement (archive/rollups.py).
3. Attachments carried with their bytes go to the encrypted blob store first, then get a row.
4. Edits, deletions, reactions and statuses become their own rows (see followups.py).
5. Every new record is linked into the tenant's hash chain in the same transaction.
The caller owns the transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, or_, update
from sqlalchemy.orm import Session

from atalaia.archive import followups, rollups
from atalaia.archive.chain import PendingRecord, SignerFactory, append
from atalaia.archive.directory import add_participants, resolve_contacts, resolve_conversations
from atalaia.archive.sanitize import bounded_id, clean_text, clip
from atalaia.blobs import EncryptedBlobStore
from atalaia.db.models import Attachment, Conversation, Line, Message
from atalaia.db.types import UTCDateTime
from atalaia.db.upsert import insert_ignore
from atalaia.domain.enums import ConversationKind, RecordType
from atalaia.domain.events import ArchiveEvent, ContactRef, ConversationRef, MessageEvent, StatusEvent
from atalaia.errors import InvalidInput
from atalaia.jobs.queue import enqueue
from atalaia.search import index_messages

MESSAGES: Table = Message.__table__  # type: ignore[assignment]
ATTACHMENTS: Table = Attachment.__table__  # type: ignore[assignment]
CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class ArchiveContext:
    """What archiving needs beyond the session, passed in so the writer reads no settings."""

    tenant_id: int
    data_key: bytes
    blobs: EncryptedBlobStore
    signer: SignerFactory
    line_id: int | None = None  # the line `archive_events` stores into; `archive_lines` names its own
    checkpoint_every: int = 1000
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sent_by_user_id: int | None = None


@dataclass(slots=True)
class ArchiveResult:
    messages: int = 0  # message events seen
    new: int = 0
    duplicates: int = 0
    attachments: int = 0
    revisions: int = 0
    revocations: int = 0
    reactions: int = 0
    statuses: int = 0
    conversation_ids: set[int] = field(default_factory=set)
    new_message_ids: list[int] = field(default_factory=list)
    new_provider_ids: set[str] = field(default_factory=set)  # bounded provider ids of the new messages

    def add(self, other: ArchiveResult) -> None:
        for name in ("messages", "new", "duplicates", "attachments", "revisions", "revocations"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reactions += other.reactions
        self.statuses += other.statuses
        self.conversation_ids |= other.conversation_ids
        self.new_message_ids.extend(other.new_message_ids)
        self.new_provider_ids |= other.new_provider_ids


def archive_events(session: Session, ctx: ArchiveContext, events: Sequence[ArchiveEvent]) -> ArchiveResult:
    """Store a batch of events from one line (`ctx.line_id`); idempotent, chained, uncommitted."""
    if ctx.line_id is None:
        raise ValueError("archive_events needs a context with a line_id")
    return archive_lines(session, ctx, {ctx.line_id: events})[ctx.line_id]


def archive_lines(
    session: Session, ctx: ArchiveContext, events_by_line: Mapping[int, Sequence[ArchiveEvent]]
) -> dict[int, ArchiveResult]:
    """Store the events of several lines of `ctx`'s tenant in one pass (`ctx.line_id` is not used).

    Each step is one statement for the whole batch, whatever the number of lines: a batch of
    webhooks for fifty numbers costs about what one number's does. Results are per line.
    """
    now = ctx.clock()
    results = {line_id: ArchiveResult() for line_id in events_by_line}
    tagged = [(line_id, event) for line_id, events in events_by_line.items() for event in events]
    messages = [(line_id, e) for line_id, e in tagged if isinstance(e, MessageEvent)]
    for line_id, _ in messages:
        results[line_id].messages += 1

    conversations = [(line_id, e.conversation) for line_id, e in tagged if not isinstance(e, StatusEvent)]
    contact_ids = resolve_contacts(session, tenant_id=ctx.tenant_id, refs=_contact_refs(e for _, e in tagged), now=now)
    conversation_ids = resolve_conversations(
        session, tenant_id=ctx.tenant_id, refs=conversations, contact_ids=contact_ids, now=now
    )
    pending: list[PendingRecord] = []
    new_rows = _insert_messages(
        session,
        ctx=ctx,
        messages=messages,
        contact_ids=contact_ids,
        conversation_ids=conversation_ids,
        now=now,
    )
    rollups.add_messages(session, [row["id"] for row, _ in new_rows])  # one statement per batch
    line_of: dict[int, int] = {}
    for row, _ in new_rows:
        result = results[row["line_id"]]
        result.new += 1
        result.new_message_ids.append(row["id"])
        result.new_provider_ids.add(row["provider_message_id"])
        line_of[row["id"]] = row["line_id"]
    for result in results.values():
        result.duplicates = result.messages - result.new
    pending.extend(PendingRecord(RecordType.MESSAGE, row) for row, _ in new_rows)
    attachment_rows = _insert_attachments(session, ctx=ctx, new_rows=new_rows)
    for row in attachment_rows:
        results[line_of[row["message_id"]]].attachments += 1
    pending.extend(PendingRecord(RecordType.ATTACHMENT, row) for row in attachment_rows)
    if new_rows:
        followups.adopt_orphans(
            session, messages={(row["line_id"], row["provider_message_id"]): row["id"] for row, _ in new_rows}
        )

    index_messages(session, [row for row, _ in new_rows])  # one batch; edits in this batch reindex below
    counts = followups.store(
        session,
        tenant_id=ctx.tenant_id,
        events=[(line_id, e) for line_id, e in tagged if not isinstance(e, MessageEvent)],
        contact_ids=contact_ids,
        pending=pending,
    )
    for line_id, count in counts.items():
        result = results[line_id]
        result.revisions, result.revocations = count.revisions, count.revocations
        result.reactions, result.statuses = count.reactions, count.statuses

    participants = [
        (conversation_ids[(line_id, bounded_id(m.conversation.key))], contact_ids[bounded_id(m.author.key)])
        for line_id, m in messages
        if m.author is not None and m.conversation.kind is ConversationKind.GROUP
    ]
    add_participants(session, tenant_id=ctx.tenant_id, pairs=participants)
    for line_id, conversation in conversations:
        results[line_id].conversation_ids.add(conversation_ids[(line_id, bounded_id(conversation.key))])
    _touch(session, line_ids=set(events_by_line), new_rows=new_rows, now=now)
    append(
        session,
        tenant_id=ctx.tenant_id,
        records=pending,
        signer=ctx.signer,
        checkpoint_every=ctx.checkpoint_every,
    )
    return results


def _contact_refs(events: Iterable[ArchiveEvent]) -> Iterable[ContactRef]:
    for event in events:
        if isinstance(event, StatusEvent):
            continue
        conversation: ConversationRef = event.conversation
        if conversation.contact is not None:
            yield conversation.contact
        author = getattr(event, "author", None)
        if author is not None:
            yield author


def _insert_messages(
    session: Session,
    *,
    ctx: ArchiveContext,
    messages: Sequence[tuple[int, MessageEvent]],
    contact_ids: dict[str, int],
    conversation_ids: dict[tuple[int, str], int],
    now: datetime,
) -> list[tuple[dict[str, Any], MessageEvent]]:
    rows: dict[tuple[int, str], tuple[dict[str, Any], MessageEvent]] = {}
    for line_id, event in messages:
        provider_id = bounded_id(event.provider_message_id)
        if not provider_id:
            raise InvalidInput("a message without a provider id cannot be archived idempotently")
        if (line_id, provider_id) in rows:
            continue  # the same message twice in one batch: the first wins, as in the database
        _require_aware(event.sent_at)
        rows[(line_id, provider_id)] = (
            {
                "tenant_id": ctx.tenant_id,
                "line_id": line_id,
                "conversation_id": conversation_ids[(line_id, bounded_id(event.conversation.key))],
                "provider_message_id": provider_id,
                "direction": event.direction.value,
                "author_contact_id": contact_ids[bounded_id(event.author.key)] if event.author else None,
                "author_name": clip(event.author_name or (event.author.name if event.author else None), 200),
                "sent_by_user_id": ctx.sent_by_user_id,
                "kind": event.kind.value,
                "text": clean_text(event.text),
                "sent_at": event.sent_at.astimezone(UTC),
                "received_at": now,
                "reply_to": bounded_id(event.reply_to) if event.reply_to else None,
                "forwarded": event.forwarded,
                "frequently_forwarded": event.frequently_forwarded,
                "referral": event.referral,
                "raw": event.raw,
                "edited_at": None,
                "revoked_at": None,
            },
            event,
        )
    inserted = insert_ignore(
        session,
        MESSAGES,
        [row for row, _ in rows.values()],
        conflict_columns=["line_id", "provider_message_id"],
        returning=("id", "line_id", "provider_message_id"),
    )
    new_rows = []
    for inserted_row in inserted:
        message_id, line_id, provider_id = tuple(inserted_row)
        row, event = rows[(line_id, provider_id)]
        row["id"] = message_id
        new_rows.append((row, event))
    new_rows.sort(key=lambda pair: pair[0]["id"])
    return new_rows


def _insert_attachments(
    session: Session, *, ctx: ArchiveContext, new_rows: Sequence[tuple[dict[str, Any], MessageEvent]]
) -> list[dict[str, Any]]:
    """Rows for attachments of new messages; those without bytes wait for the media job."""
    rows: list[dict[str, Any]] = []
    for message_row, event in new_rows:
        for position, ref in enumerate(event.attachments):
            row: dict[str, Any] = {
                "tenant_id": ctx.tenant_id,
                "message_id": message_row["id"],
                "position": position,
                "file_name": clip(ref.file_name, 300),
                "mime_type": clip(ref.mime_type, 200),
                "caption": clean_text(ref.caption),
                "provider_media_id": clip(ref.provider_media_id, 200),
                "declared_sha256": clip(ref.sha256, 64),
                "sha256": None,
                "size": None,
                "blob_key": None,
                "download_status": "pending",
            }
            if ref.content is not None:
                stored = ctx.blobs.put(tenant_id=ctx.tenant_id, data_key=ctx.data_key, data=ref.content)
                if ref.sha256 and ref.sha256.lower() != stored.sha256:
                    row["download_status"] = "mismatch"  # kept, and flagged: the bytes are not what was declared
                else:
                    row["download_status"] = "stored"
                row.update(sha256=stored.sha256, size=stored.size, blob_key=stored.key)
            rows.append(row)
    if not rows:
        return []
    ids = session.execute(
        ATTACHMENTS.insert().returning(ATTACHMENTS.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    chained = []
    for row, attachment_id in zip(rows, ids, strict=True):
        row["id"] = attachment_id
        if row["sha256"] is not None:
            chained.append(row)
        elif row["provider_media_id"]:
            # The bytes come later, from the provider; the job is durable with the row.
            enqueue(session, tenant_id=ctx.tenant_id, kind="media.download", payload={"attachment_id": attachment_id})
    from atalaia.jobs.extraction import enqueue_extraction  # their text, from bytes stored here

    enqueue_extraction(session, tenant_id=ctx.tenant_id, attachment_ids=[row["id"] for row in chained])
    return chained


def _touch(
    session: Session,
    *,
    line_ids: set[int],
    new_rows: Sequence[tuple[dict[str, Any], MessageEvent]],
    now: datetime,
) -> None:
    latest: dict[int, datetime] = {}
    for row, _ in new_rows:
        conversation_id = row["conversation_id"]
        if conversation_id not in latest or row["sent_at"] > latest[conversation_id]:
            latest[conversation_id] = row["sent_at"]
    if latest:
        table = CONVERSATIONS
        moment = bindparam("moment", type_=UTCDateTime())
        # One executemany for the batch; only ever moves last_message_at forwards.
        session.execute(
            table.update()
            .where(table.c.id == bindparam("conversation"))
            .values(
                last_message_at=case(
                    (or_(table.c.last_message_at.is_(None), table.c.last_message_at < moment), moment),
                    else_=table.c.last_message_at,
                )
            ),
            [{"conversation": cid, "moment": sent_at} for cid, sent_at in sorted(latest.items())],
        )
    session.execute(update(Line).where(Line.id.in_(sorted(line_ids))).values(last_event_at=now))


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise InvalidInput("event timestamps must carry a time zone")
