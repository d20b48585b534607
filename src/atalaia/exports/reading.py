"""Reading a selection from the archive in bounded batches, each in its own short transaction.

1. Messages of one conversation come in (sent_at, id) order, `BATCH` at a time, by keyset
   pagination, so a line of millions of messages never sits in memory; each batch is read in a
   session that is closed before the batch is written (on SQLite every transaction holds the
   write lock, and capture must not wait on an export).
2. Only records whose chain link is at or before the export's checkpoint are kept: everything
   exported is covered by that signature, and what arrives meanwhile waits for the next export.
3. Each batch brings its edits, deletions, reactions, statuses, attachments, authors and the
   messages its replies quote, one query each, plus one chain-link lookup per record kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Row, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from atalaia.db.models import (
    Attachment,
    ChainLink,
    Contact,
    Conversation,
    DeliveryStatusRecord,
    Employee,
    Line,
    Message,
    Participant,
    Reaction,
    Revision,
    Revocation,
)
from atalaia.domain.enums import Direction, RecordType
from atalaia.exports.model import (
    ExportAttachment,
    ExportConversation,
    ExportMessage,
    ExportReaction,
    ExportRevision,
    ExportRevocation,
    ExportStatus,
    Party,
)
from atalaia.exports.parties import UNKNOWN, contact_party, line_party, name_party
from atalaia.exports.selection import chunks

BATCH: Final = 500  # messages per read transaction

MESSAGE_COLUMNS: Final = (
    Message.id,
    Message.conversation_id,
    Message.line_id,
    Message.provider_message_id,
    Message.direction,
    Message.kind,
    Message.author_contact_id,
    Message.author_name,
    Message.text,
    Message.sent_at,
    Message.received_at,
    Message.reply_to,
    Message.forwarded,
    Message.frequently_forwarded,
)


@dataclass(frozen=True, slots=True)
class ArchiveReader:
    sessions: sessionmaker[Session]
    tenant_id: int
    checkpoint_seq: int

    def conversation(self, conversation_id: int) -> ExportConversation:
        with self.sessions() as session:
            conversation, line, employee_name, employee_email = session.execute(
                select(Conversation, Line, Employee.name, Employee.email)
                .join(Line, Line.id == Conversation.line_id)
                .outerjoin(Employee, Employee.id == Line.employee_id)
                .where(Conversation.tenant_id == self.tenant_id, Conversation.id == conversation_id)
            ).one()
            members = [
                _contact(row)
                for row in session.execute(
                    select(Contact.id, Contact.profile_name, Contact.phone, Contact.wa_id, Contact.key)
                    .join(Participant, Participant.contact_id == Contact.id)
                    .where(Participant.conversation_id == conversation_id)
                    .order_by(Contact.id)
                )
            ]
            contact = None
            if conversation.contact_id is not None:
                contact = _contact(
                    session.execute(
                        select(Contact.id, Contact.profile_name, Contact.phone, Contact.wa_id, Contact.key).where(
                            Contact.id == conversation.contact_id
                        )
                    ).one()
                )
        custodian = line_party(
            line_id=line.id, number=line.number, employee_name=employee_name, employee_email=employee_email
        )
        participants = {custodian.id: custodian}
        for party in ([contact] if contact else []) + members:
            participants.setdefault(party.id, party)
        display = conversation.subject or (contact.display if contact else None) or conversation.key
        return ExportConversation(
            id=conversation.id,
            kind=conversation.kind,
            display=display,
            subject=conversation.subject,
            line_id=line.id,
            line_number=line.number,
            timezone=line.timezone,
            custodian=custodian,
            contact=contact,
            participants=tuple(participants.values()),
        )

    def batches(
        self, conversation: ExportConversation, only: Sequence[int] | None = None
    ) -> Iterator[list[ExportMessage]]:
        """The conversation's covered messages in order; `only`: just these ids (a search's hits).

        The conversation and the ids were checked to be the tenant's by the selection, so the
        queries name no tenant: each is then answered by one index (the conversation's, or
        the primary key), whatever the planner guesses.
        """
        if only is not None:
            for ids in self._ordered(conversation.id, only):
                with self.sessions() as session:
                    rows = session.execute(select(*MESSAGE_COLUMNS).where(Message.id.in_(ids)).order_by(*ORDER)).all()
                    batch = self._enrich(session, conversation, rows)
                if batch:
                    yield batch
            return
        after: tuple[datetime, int] | None = None
        while True:
            with self.sessions() as session:
                query = select(*MESSAGE_COLUMNS).where(Message.conversation_id == conversation.id)
                if after is not None:
                    query = query.where(tuple_(Message.sent_at, Message.id) > tuple_(*after))
                rows = session.execute(query.order_by(*ORDER).limit(BATCH)).all()
                batch = self._enrich(session, conversation, rows)
            if not rows:
                return
            after = (rows[-1].sent_at, rows[-1].id)
            if batch:
                yield batch

    def _links(self, session: Session, record_type: RecordType, ids: Iterable[int]) -> dict[int, tuple[int, str]]:
        """record id -> (chain seq, content hash) for the records covered by the checkpoint.

        A separate lookup on `ix_chain_links_record` rather than a join: joined, SQLite's planner
        (with no statistics) walks every link of the tenant for each batch.
        """
        found: dict[int, tuple[int, str]] = {}
        for chunk in chunks(sorted(set(ids))):
            for record_id, seq, digest in session.execute(
                select(ChainLink.record_id, ChainLink.seq, ChainLink.content_hash).where(
                    ChainLink.tenant_id == self.tenant_id,
                    ChainLink.record_type == record_type.value,
                    ChainLink.record_id.in_(chunk),
                )
            ):
                if seq <= self.checkpoint_seq:
                    found[record_id] = (seq, digest)
        return found

    def _ordered(self, conversation_id: int, ids: Sequence[int]) -> Iterator[list[int]]:
        """`ids` of this conversation in (sent_at, id) order, a batch at a time."""
        keyed: list[tuple[datetime, int]] = []
        with self.sessions() as session:
            for chunk in chunks(sorted(ids)):
                keyed.extend(
                    (row.sent_at, row.id)
                    for row in session.execute(
                        select(Message.sent_at, Message.id).where(
                            Message.conversation_id == conversation_id, Message.id.in_(chunk)
                        )
                    )
                )
        keyed.sort()
        yield from chunks([message_id for _, message_id in keyed], BATCH)

    def _enrich(self, session: Session, conversation: ExportConversation, rows: Sequence[Any]) -> list[ExportMessage]:
        """The covered messages among `rows`, each with its covered follow-ups."""
        links = self._links(session, RecordType.MESSAGE, (row.id for row in rows))
        rows = [row for row in rows if row.id in links]
        if not rows:
            return []
        ids = [row.id for row in rows]
        reaction_rows = self._followups(
            session,
            RecordType.REACTION,
            select(Reaction.id, Reaction.message_id, Reaction.emoji, Reaction.reacted_at, Reaction.author_contact_id)
            .where(Reaction.message_id.in_(ids))
            .order_by(Reaction.reacted_at, Reaction.id),
        )
        contact_ids = {row.author_contact_id for row in rows} | {row.author_contact_id for row, _ in reaction_rows}
        contacts = self._contacts(session, {cid for cid in contact_ids if cid is not None})
        reactions: dict[int, list[ExportReaction]] = defaultdict(list)
        for row, seq in reaction_rows:
            author = contacts.get(row.author_contact_id) if row.author_contact_id else conversation.custodian
            reactions[row.message_id].append(
                ExportReaction(row.id, row.emoji, row.reacted_at, author or UNKNOWN, chain_seq=seq)
            )
        revisions = self._revisions(session, ids)
        revocations = self._revocations(session, ids)
        statuses = self._statuses(session, ids)
        attachments = self._attachments(session, ids)
        quoted = self._quoted(session, conversation.line_id, {row.reply_to for row in rows if row.reply_to})
        return [
            ExportMessage(
                id=row.id,
                conversation_id=row.conversation_id,
                line_id=row.line_id,
                provider_message_id=row.provider_message_id,
                direction=row.direction,
                kind=row.kind,
                author=_author(row, conversation, contacts),
                author_name=row.author_name,
                text=row.text,
                sent_at=row.sent_at,
                received_at=row.received_at,
                reply_to=row.reply_to,
                reply_to_id=quoted.get(row.reply_to) if row.reply_to else None,
                forwarded=bool(row.forwarded),
                frequently_forwarded=bool(row.frequently_forwarded),
                chain_seq=links[row.id][0],
                content_hash=links[row.id][1],
                revisions=tuple(revisions.get(row.id, ())),
                revocation=revocations.get(row.id),
                reactions=tuple(reactions.get(row.id, ())),
                statuses=tuple(statuses.get(row.id, ())),
                attachments=tuple(attachments.get(row.id, ())),
            )
            for row in rows
        ]

    def _followups(self, session: Session, record_type: RecordType, query: Any) -> list[tuple[Row[Any], int]]:
        """The rows of `query` (whose first column is the record id) covered by the checkpoint, with their seq."""
        rows = session.execute(query).all()
        links = self._links(session, record_type, (row[0] for row in rows))
        return [(row, links[row[0]][0]) for row in rows if row[0] in links]

    def _revisions(self, session: Session, ids: list[int]) -> dict[int, list[ExportRevision]]:
        found: dict[int, list[ExportRevision]] = defaultdict(list)
        for row, seq in self._followups(
            session,
            RecordType.REVISION,
            select(Revision.id, Revision.message_id, Revision.text, Revision.edited_at)
            .where(Revision.message_id.in_(ids))
            .order_by(Revision.edited_at, Revision.id),
        ):
            found[row.message_id].append(ExportRevision(row.id, row.text, row.edited_at, chain_seq=seq))
        return found

    def _revocations(self, session: Session, ids: list[int]) -> dict[int, ExportRevocation]:
        found: dict[int, ExportRevocation] = {}
        for row, seq in self._followups(
            session,
            RecordType.REVOCATION,
            select(Revocation.id, Revocation.message_id, Revocation.revoked_at, Revocation.by_line)
            .where(Revocation.message_id.in_(ids))
            .order_by(Revocation.revoked_at, Revocation.id),
        ):
            # The first deletion counts; a repeat from the other side changes nothing.
            found.setdefault(row.message_id, ExportRevocation(row.id, row.revoked_at, bool(row.by_line), chain_seq=seq))
        return found

    def _statuses(self, session: Session, ids: list[int]) -> dict[int, list[ExportStatus]]:
        found: dict[int, list[ExportStatus]] = defaultdict(list)
        for row, seq in self._followups(
            session,
            RecordType.STATUS,
            select(DeliveryStatusRecord.id, DeliveryStatusRecord.message_id, DeliveryStatusRecord.status,
                   DeliveryStatusRecord.at, DeliveryStatusRecord.recipient)
            .where(DeliveryStatusRecord.message_id.in_(ids))
            .order_by(DeliveryStatusRecord.at, DeliveryStatusRecord.id),
        ):  # fmt: skip
            found[row.message_id].append(ExportStatus(row.id, row.status, row.at, row.recipient, chain_seq=seq))
        return found

    def _attachments(self, session: Session, ids: list[int]) -> dict[int, list[ExportAttachment]]:
        """Every attachment row (they come with their message); bytes only when chained in time."""
        rows = session.execute(
            select(Attachment.id, Attachment.message_id, Attachment.position, Attachment.file_name,
                   Attachment.mime_type, Attachment.caption, Attachment.sha256, Attachment.size,
                   Attachment.download_status)
            .where(Attachment.message_id.in_(ids))
            .order_by(Attachment.message_id, Attachment.position, Attachment.id)
        ).all()  # fmt: skip
        links = self._links(session, RecordType.ATTACHMENT, (row.id for row in rows if row.sha256 is not None))
        found: dict[int, list[ExportAttachment]] = defaultdict(list)
        for row in rows:
            covered = row.sha256 is not None and row.id in links
            found[row.message_id].append(
                ExportAttachment(
                    id=row.id,
                    position=row.position,
                    file_name=row.file_name,
                    mime_type=row.mime_type,
                    caption=row.caption,
                    sha256=row.sha256 if covered else None,
                    size=row.size if covered else None,
                    status=row.download_status,
                    missing_reason=None if covered else _missing_reason(row.download_status, stored=row.sha256),
                )
            )
        return found

    def _contacts(self, session: Session, ids: set[int]) -> dict[int, Party]:
        if not ids:
            return {}
        rows = session.execute(
            select(Contact.id, Contact.profile_name, Contact.phone, Contact.wa_id, Contact.key).where(
                Contact.tenant_id == self.tenant_id, Contact.id.in_(ids)
            )
        )
        return {row.id: _contact(row) for row in rows}

    def _quoted(self, session: Session, line_id: int, provider_ids: set[str]) -> dict[str, int]:
        if not provider_ids:
            return {}
        rows = session.execute(
            select(Message.provider_message_id, Message.id).where(
                Message.line_id == line_id, Message.provider_message_id.in_(provider_ids)
            )
        )
        return {row[0]: row[1] for row in rows}


ORDER: Final = (Message.sent_at, Message.id)


def _contact(row: Any) -> Party:
    return contact_party(contact_id=row.id, name=row.profile_name, phone=row.phone, wa_id=row.wa_id, key=row.key)


def _author(row: Row[Any], conversation: ExportConversation, contacts: dict[int, Party]) -> Party:
    """The line wrote outbound messages; inbound ones have a contact, a name, or the chat's other party."""
    if row.direction == Direction.OUTBOUND.value:
        return conversation.custodian
    if row.author_contact_id is not None and row.author_contact_id in contacts:
        return contacts[row.author_contact_id]
    if row.author_name:
        return name_party(row.author_name)
    return conversation.contact or UNKNOWN


def _missing_reason(status: str, *, stored: str | None) -> str:
    if stored is not None:
        return "armazenado depois do checkpoint desta exportação; exporte de novo para incluí-lo"
    if status == "pending":
        return "ainda não baixado do provedor"
    if status == "failed":
        return "o download falhou"
    return f"bytes não armazenados ({status})"
