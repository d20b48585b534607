"""`atalaia subject erase`: anonymise what a customer or supplier sent, except what a legal hold keeps.

1. The subject is found by phone or WhatsApp id among the tenant's contacts exactly as
   `subject export` finds them (services/subject_export/identity.py: both ninth-digit forms, and
   the BSUID/LID aliases those rows carry); the request is entered in the register (15 days).
2. Their messages under an active legal hold are left whole and counted; a hold on their own
   phone keeps everything. What is not held is rewritten, not deleted, so conversations keep
   their shape: each message's text becomes a fixed marker and its raw payload, author name and
   referral go; its edits' texts likewise; raw payloads of its deletions and reactions, of their
   reactions elsewhere, and of statuses addressed to them go; its attachments lose caption and
   file name, their extracted text, and their bytes (deleted from the blob store once committed).
   Alert hits on those messages lose their redacted match. The search index is rebuilt for them.
3. When nothing is held, the contact is pseudonymised (name, phone, ids, corrected e-mail and
   note, and the sealed previous values of its corrections) with its one-to-one conversations'
   keys, so nothing left points back to the number.
3a. Raw journal entries naming the subject (any of their ids) become tombstones, unless they carry
   a held message, so `journal replay` cannot archive their words again
   (services/governance/journal_redaction.py, docs/decisions/0020).
4. One chained erasure record names every rewritten chained record with its hash before and
   after (archive/tombstones.py), so `atalaia verify` reports them as erased, not modified.
All in one transaction, audited as `subject_erased`. Decision: erase what is not held and say
why the rest was kept (docs/decisions/0018-retention-holds-erasure.md).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from atalaia.archive.records import TABLES, content_hash
from atalaia.archive.tombstones import Entry, expected_hashes, record_batch
from atalaia.db.engine import transaction
from atalaia.db.models import (
    AlertHit,
    Attachment,
    AttachmentText,
    Contact,
    ContactCorrection,
    Conversation,
    DeliveryStatusRecord,
    Erasure,
    Message,
    Reaction,
    Revision,
    Revocation,
    Tenant,
)
from atalaia.domain.enums import ConversationKind, RecordType
from atalaia.runtime import Runtime
from atalaia.search import reindex_messages
from atalaia.services import audit
from atalaia.services.governance.blob_cleanup import ERASED, delete_queued, queue_deletions
from atalaia.services.governance.holds import contacts_for_phone, held, held_by, is_active, list_holds
from atalaia.services.governance.inputs import mask_phone, require_reason
from atalaia.services.governance.journal_redaction import redact_for_subject
from atalaia.services.governance.subject_requests import close_request, open_request
from atalaia.services.subject_export.identity import find_subject

MARKER: Final = "[apagado a pedido do titular (LGPD)]"
ERASED_NAME: Final = "Titular apagado (LGPD)"
Change = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(slots=True)
class ErasureResult:
    erased: int  # the subject's messages rewritten now
    held: int  # the subject's messages kept by a legal hold
    reason_refused: str | None  # why some or all of it was kept; None when nothing was
    request_id: int
    status: str  # done | partial | refused
    erasure_id: int | None = None
    revisions: int = 0
    attachments: int = 0
    records: int = 0  # chained records rewritten, each with a tombstone
    contacts: int = 0  # contacts pseudonymised
    blobs_deleted: int = 0
    journal_redacted: int = 0  # raw webhook bodies naming the subject replaced by tombstones
    journal_held: int = 0  # such bodies kept whole: they carry a held message

    def as_dict(self) -> dict[str, Any]:
        return {
            "erased": self.erased,
            "held": self.held,
            "reason_refused": self.reason_refused,
            "request_id": self.request_id,
            "status": self.status,
            "erasure_id": self.erasure_id,
            "revisions": self.revisions,
            "attachments": self.attachments,
            "records": self.records,
            "contacts": self.contacts,
            "blobs_deleted": self.blobs_deleted,
            "journal_redacted": self.journal_redacted,
            "journal_held": self.journal_held,
        }


def erase_subject(
    runtime: Runtime, *, tenant: Tenant, phone: str, reason: str, actor: str = "cli", now: datetime | None = None
) -> ErasureResult:
    """Erase one data subject's content; see the module docstring."""
    now = now or datetime.now(UTC)
    reason = require_reason(reason, what="o apagamento")
    with transaction(runtime.sessions) as session:
        subject = find_subject(session, tenant_id=tenant.id, query=phone)  # as `subject export` finds them
        contacts = list(subject.contact_ids)
        request = open_request(
            session,
            tenant_id=tenant.id,
            kind="erasure",
            contact_id=contacts[0],
            subject=mask_phone(subject.label),
            reason=reason,
            actor=actor,
            now=now,
        )
        messages = list(
            session.execute(
                select(Message.id)
                .where(Message.tenant_id == tenant.id, Message.author_contact_id.in_(contacts))
                .order_by(Message.id)
            ).scalars()
        )
        holds = _holds(session, tenant.id, contacts, messages, now)
        wholly = "phone" in holds
        kept = set(messages) if wholly else set().union(*holds.values())
        targets = [] if wholly else [message_id for message_id in messages if message_id not in kept]
        work = _Rewriter(session, tenant.id)
        result = ErasureResult(erased=0, held=len(kept), reason_refused=None, request_id=request.id, status="")
        if not wholly:
            result.erased = len(work.rewrite(RecordType.MESSAGE, targets, _message))
            result.revisions = len(work.rewrite(RecordType.REVISION, _ids(session, Revision, targets), _revision))
            work.rewrite(RecordType.REVOCATION, _ids(session, Revocation, targets), _raw_only)
            around = _ids(session, Reaction, targets) + _not_held(
                session, tenant.id, _own_reactions(session, contacts), now
            )
            work.rewrite(RecordType.REACTION, around, _raw_only)
            statuses = _statuses(session, tenant.id, subject.numbers)
            work.rewrite(RecordType.STATUS, _not_held(session, tenant.id, statuses, now), _status)
            result.attachments = _attachments(session, work, targets)
            _redact_hits(session, targets)
            sweep = redact_for_subject(session, tenant_id=tenant.id, subject=subject, request_id=request.id, now=now)
            result.journal_redacted, result.journal_held = sweep.redacted, sweep.held
        if not kept and not wholly:
            result.contacts = _pseudonymise(session, tenant.id, contacts)
        if work.entries or result.contacts:
            erasure = Erasure(
                tenant_id=tenant.id,
                request_id=request.id,
                at=datetime.now(UTC),
                actor=actor,
                reason=reason,
                detail={"contacts": contacts, "messages": result.erased, "held": len(kept)},
            )
            signer = runtime.signer(tenant)
            record_batch(
                session,
                batch=erasure,
                entries=work.entries,
                signer=lambda: signer,
                checkpoint_every=runtime.settings.checkpoint_every,
            )
            result.erasure_id = erasure.id
        result.records = len(work.entries)
        reindex_messages(session, targets)
        queue_deletions(session, tenant_id=tenant.id, digests=work.digests)
        close_request(request, erased=result.erased, held=len(kept), now=now)
        result.status = request.status
        result.reason_refused = _refusal(holds, len(kept))
        audit.record(
            session,
            tenant_id=tenant.id,
            actor=actor,
            action="subject_erased",
            object_type="subject_request",
            object_id=request.id,
            outcome="denied" if request.status == "refused" else "ok",
            detail={
                "subject": request.subject,
                "reason": reason,
                "erasure_id": result.erasure_id,
                "erased": result.erased,
                "held": result.held,
                "holds": sorted(h for h in holds if isinstance(h, int)),
                "records": result.records,
                "journal_redacted": result.journal_redacted,
                "journal_held": result.journal_held,
            },
        )
    result.blobs_deleted = delete_queued(runtime, tenant_id=tenant.id)
    return result


def _holds(
    session: Session, tenant_id: int, contacts: list[int], messages: list[int], now: datetime
) -> dict[Any, set[int]]:
    """Hold id -> the subject's messages it keeps; the key "phone" when a hold names the subject
    themselves, which keeps everything, the contact included."""
    holds: dict[Any, set[int]] = dict(held_by(session, tenant_id, messages, now=now))
    for hold in list_holds(session, tenant_id=tenant_id, include_released=False):
        if hold.scope != "phone" or not is_active(hold, now):
            continue
        if set(contacts_for_phone(session, tenant_id, hold.target)) & set(contacts):
            holds["phone"] = set(messages)
            holds.setdefault(hold.id, set(messages))
    return holds


def _refusal(holds: dict[Any, set[int]], held: int) -> str | None:
    numbers = ", ".join(f"nº {h}" for h in sorted(h for h in holds if isinstance(h, int)))
    if "phone" in holds:
        return f"O titular está sob retenção legal ({numbers}): nada foi apagado."
    if held:
        return f"{held} mensagem(ns) do titular sob retenção legal ({numbers}) foram mantidas; o restante foi apagado."
    return None


class _Rewriter:
    """Rewrites chained rows in place and keeps a tombstone (hash before, hash after) for each."""

    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.entries: list[Entry] = []
        self.digests: list[str] = []

    def rewrite(self, record_type: RecordType, ids: Collection[int], change: Change) -> list[int]:
        """Apply `change` (row -> columns to set) to these rows; returns the ids that changed."""
        table = TABLES[record_type]
        ids = sorted(set(ids))
        if not ids:
            return []
        expected = expected_hashes(self.session, tenant_id=self.tenant_id, refs={record_type.value: ids})
        changed: list[int] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for found in self.session.execute(select(table).where(table.c.id.in_(chunk))).mappings().all():
                row = dict(found)
                values = {name: value for name, value in change(row).items() if row[name] != value}
                if not values:
                    continue
                self.session.execute(update(table).where(table.c.id == row["id"]).values(**values))
                changed.append(row["id"])
                key = (record_type.value, row["id"])
                if key in expected:
                    after = content_hash(record_type, {**row, **values})
                    self.entries.append(Entry(record_type.value, row["id"], expected[key], after))
        return changed


def _message(row: dict[str, Any]) -> dict[str, Any]:
    return {"text": MARKER if row["text"] is not None else None, "raw": None, "author_name": None, "referral": None}


def _revision(row: dict[str, Any]) -> dict[str, Any]:
    return {"text": MARKER, "raw": None}


def _raw_only(row: dict[str, Any]) -> dict[str, Any]:
    return {"raw": None}


def _status(row: dict[str, Any]) -> dict[str, Any]:
    return {"recipient": None, "raw": None, "errors": None}


def _attachment(row: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"caption": MARKER if row["caption"] else None, "file_name": None}
    if row["sha256"] is None:
        values["provider_media_id"] = None  # not chained yet: the download job then finds nothing to fetch
    return values


def _ids(
    session: Session, model: type[Revision] | type[Revocation] | type[Reaction], message_ids: list[int]
) -> list[int]:
    """Rows of `model` about these messages."""
    found: list[int] = []
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start : start + 500]
        found += session.execute(select(model.id).where(model.message_id.in_(chunk))).scalars()
    return found


def _own_reactions(session: Session, contacts: list[int]) -> list[tuple[int, int | None]]:
    """The subject's reactions anywhere, with the message each is on."""
    return list(
        session.execute(select(Reaction.id, Reaction.message_id).where(Reaction.author_contact_id.in_(contacts))).all()
    )


def _statuses(session: Session, tenant_id: int, numbers: Collection[str]) -> list[tuple[int, int | None]]:
    """Statuses of messages sent to the subject, which name them as recipient (digits or a JID)."""
    recipient = DeliveryStatusRecord.recipient
    named: list[ColumnElement[bool]] = [recipient.in_([*numbers, *("+" + n for n in numbers)])]
    named += [recipient.startswith(n + "@", autoescape=True) for n in numbers]
    return [
        (int(status_id), message_id)
        for status_id, message_id in session.execute(
            select(DeliveryStatusRecord.id, DeliveryStatusRecord.message_id).where(
                DeliveryStatusRecord.tenant_id == tenant_id, or_(*named)
            )
        )
    ]


def _not_held(session: Session, tenant_id: int, rows: list[tuple[int, int | None]], now: datetime) -> list[int]:
    """The ids among (id, message id) whose message no legal hold keeps."""
    kept = held(session, tenant_id, {m for _, m in rows if m is not None}, now=now)
    return [record_id for record_id, message_id in rows if message_id not in kept]


def _attachments(session: Session, work: _Rewriter, targets: list[int]) -> int:
    """Caption and name rewritten, extracted text dropped, bytes queued for deletion."""
    rows: list[tuple[int, str | None, str]] = []
    for start in range(0, len(targets), 500):
        chunk = targets[start : start + 500]
        rows += session.execute(
            select(Attachment.id, Attachment.sha256, Attachment.download_status).where(Attachment.message_id.in_(chunk))
        ).all()
    pending = [(attachment_id, sha256) for attachment_id, sha256, status in rows if status != ERASED]
    if not pending:
        return 0
    ids = [attachment_id for attachment_id, _ in pending]
    work.rewrite(RecordType.ATTACHMENT, ids, _attachment)
    session.execute(update(Attachment).where(Attachment.id.in_(ids)).values(download_status=ERASED))
    session.execute(
        update(AttachmentText)
        .where(AttachmentText.attachment_id.in_(ids))
        .values(status=ERASED, text=None, chars=0, truncated=False, reason="apagado a pedido do titular (LGPD)")
    )
    work.digests += [sha256 for _, sha256 in pending if sha256]
    return len(ids)


def _redact_hits(session: Session, targets: list[int]) -> None:
    for start in range(0, len(targets), 500):
        chunk = targets[start : start + 500]
        session.execute(update(AlertHit).where(AlertHit.message_id.in_(chunk)).values(match="[apagado]", detail=None))


def _pseudonymise(session: Session, tenant_id: int, contacts: list[int]) -> int:
    """Nothing left on the contacts or their one-to-one chats points back to the number."""
    for contact_id in contacts:
        session.execute(
            update(Contact)
            .where(Contact.tenant_id == tenant_id, Contact.id == contact_id)
            .values(
                key=f"erased:{contact_id}",
                wa_id=None,
                phone=None,
                bsuid=None,
                lid=None,
                profile_name=ERASED_NAME,
                email=None,
                note=None,
            )
        )
    # The values a correction replaced are the subject's data too.
    session.execute(
        update(ContactCorrection)
        .where(ContactCorrection.tenant_id == tenant_id, ContactCorrection.contact_id.in_(contacts))
        .values(sealed=None)
    )
    for conversation_id in session.execute(
        select(Conversation.id).where(
            Conversation.tenant_id == tenant_id,
            Conversation.contact_id.in_(contacts),
            Conversation.kind == ConversationKind.DIRECT.value,
        )
    ).scalars():
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(key=f"erased:{conversation_id}", subject=None)
        )
    return len(contacts)
