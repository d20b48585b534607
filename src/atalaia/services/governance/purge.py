"""`atalaia retention run`: delete what the retention rules say has expired, never what is held.

1. For each line with a rule in force (retention_rules.plans), walk its expired messages by id,
   `batch_size` at a time.
2. Each batch is one transaction: held messages are counted and skipped; the rest go with
   everything hanging off them (attachments and their extracted text, edits, deletions,
   reactions, statuses, alert hits, search entries). A chained purge record with a tombstone per
   chained record says what went (archive/tombstones.py); blob deletions are queued; audited.
3. After each commit the queued blobs are deleted (blob_cleanup). A crash loses at most the
   batch in flight, which nothing had touched yet; the next run finds what is still expired.
4. Then attachments alone, on lines whose `media` rule is shorter, the same way.
5. Then the raw journal: on a line where every message kind has a rule, entries received before
   the longest of them lose their body to a tombstone (journal/redaction.py), in batches, unless
   they carry a held message (services/governance/journal_redaction.py, docs/decisions/0020).
   A line keeping some kind for ever keeps its journal for ever.
A dry run walks the same way and counts, writing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from atalaia.archive.rollups import remove_messages
from atalaia.archive.tombstones import Entry, expected_hashes, record_batch
from atalaia.db.engine import transaction
from atalaia.db.models import (
    AlertHit,
    Attachment,
    AttachmentText,
    DeliveryStatusRecord,
    Message,
    Purge,
    Reaction,
    Revision,
    Revocation,
    Tenant,
)
from atalaia.domain.enums import RecordType
from atalaia.journal import redact_entries
from atalaia.runtime import Runtime
from atalaia.search import reindex_messages, remove_from_index
from atalaia.services import audit
from atalaia.services.governance.blob_cleanup import delete_queued, queue_deletions
from atalaia.services.governance.holds import held
from atalaia.services.governance.journal_redaction import RETENTION_REASON, expired_entries, held_entries
from atalaia.services.governance.retention_rules import MESSAGE_KINDS, LinePlan, plans

BATCH: Final = 500
REASON: Final = "retention"
FOLLOWUPS: Final = (  # (record type, table, the report's name for them)
    (RecordType.REVISION, Revision, "revisions"),
    (RecordType.REVOCATION, Revocation, "revocations"),
    (RecordType.REACTION, Reaction, "reactions"),
    (RecordType.STATUS, DeliveryStatusRecord, "statuses"),
)
Progress = Callable[[int], None]


@dataclass(slots=True)
class PurgeReport:
    dry_run: bool = False
    purged: int = 0  # messages
    held: int = 0  # expired messages kept by a legal hold
    attachments: int = 0
    held_attachments: int = 0  # expired under a media rule, kept by a hold on their message
    revisions: int = 0
    revocations: int = 0
    reactions: int = 0
    statuses: int = 0
    alert_hits: int = 0
    blobs_deleted: int = 0
    purges: list[int] = field(default_factory=list)  # the chained purge records written
    journal_redacted: int = 0  # raw webhook bodies past the line's longest rule, now tombstones
    journal_held: int = 0  # such bodies kept whole: they carry a held message

    def as_dict(self) -> dict[str, Any]:
        return {
            "purged": self.purged,
            "held": self.held,
            "attachments": self.attachments,
            "held_attachments": self.held_attachments,
            "revisions": self.revisions,
            "revocations": self.revocations,
            "reactions": self.reactions,
            "statuses": self.statuses,
            "alert_hits": self.alert_hits,
            "blobs_deleted": self.blobs_deleted,
            "purges": self.purges,
            "journal_redacted": self.journal_redacted,
            "journal_held": self.journal_held,
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True, slots=True)
class _Run:
    runtime: Runtime
    tenant: Tenant
    actor: str
    dry_run: bool
    report: PurgeReport

    def signer(self) -> Any:
        return self.runtime.signer(self.tenant)


def run_retention(
    runtime: Runtime,
    *,
    tenant: Tenant,
    dry_run: bool = False,
    actor: str = "cli",
    now: datetime | None = None,
    batch_size: int = BATCH,
    progress: Progress | None = None,
) -> PurgeReport:
    """Purge the tenant's expired records as of `now`, batch by batch; see the module docstring."""
    now = now or datetime.now(UTC)
    run = _Run(runtime, tenant, actor, dry_run, PurgeReport(dry_run=dry_run))
    if not dry_run:
        run.report.blobs_deleted += delete_queued(runtime, tenant_id=tenant.id)  # left by a crash
    with runtime.sessions() as session:
        line_plans = plans(session, tenant_id=tenant.id, now=now)
    for plan in line_plans:
        for cutoff, kinds in plan.by_cutoff().items():
            _walk(run, _expired_messages(tenant.id, plan, cutoff, kinds), _purge_messages, now, batch_size, progress)
    for plan in line_plans:
        if plan.media_cutoff is not None:
            _walk(run, _expired_media(tenant.id, plan), _purge_attachments, now, batch_size, progress)
    for plan in line_plans:
        if set(plan.cutoffs) >= set(MESSAGE_KINDS):
            _expire_journal(run, plan, now, batch_size)
    return run.report


def _expire_journal(run: _Run, plan: LinePlan, now: datetime, batch_size: int) -> None:
    """Tombstone the line's journal bodies older than its longest rule, a batch per transaction."""
    cutoff = min(plan.cutoffs.values())
    reason = RETENTION_REASON.format(days=(now - cutoff).days)
    after = 0
    while True:
        with transaction(run.runtime.sessions) as session:
            ids = list(
                session.execute(
                    expired_entries(line_id=plan.line_id, cutoff=cutoff, after=after, limit=batch_size)
                ).scalars()
            )
            if not ids:
                return
            after = ids[-1]
            kept = held_entries(session, tenant_id=run.tenant.id, entry_ids=ids, now=now)
            chosen = [entry_id for entry_id in ids if entry_id not in kept]
            run.report.journal_held += len(kept)
            if run.dry_run:
                run.report.journal_redacted += len(chosen)
                continue
            redacted = redact_entries(session, chosen, reason=reason, now=now)
            run.report.journal_redacted += redacted
            if redacted or kept:
                audit.record(
                    session,
                    tenant_id=run.tenant.id,
                    actor=run.actor,
                    action="journal_redacted",
                    object_type="line",
                    object_id=plan.line_id,
                    detail={"reason": REASON, "entries": redacted, "held": len(kept), "before": cutoff.isoformat()},
                )


Selector = Callable[[int, int], Any]  # (after id, limit) -> SELECT of (id, message id)
Purger = Callable[[Session, _Run, list[tuple[int, int]], set[int]], None]


def _walk(
    run: _Run, selector: Selector, purger: Purger, now: datetime, batch_size: int, progress: Progress | None
) -> None:
    after = 0
    while True:
        with transaction(run.runtime.sessions) as session:
            rows = [(int(a), int(b)) for a, b in session.execute(selector(after, batch_size)).all()]
            if not rows:
                return
            after = rows[-1][0]
            kept = held(session, run.tenant.id, {message_id for _, message_id in rows}, now=now)
            purger(session, run, rows, kept)
        if not run.dry_run:
            run.report.blobs_deleted += delete_queued(run.runtime, tenant_id=run.tenant.id)
        if progress is not None:
            progress(len(rows))


def _expired_messages(tenant_id: int, plan: LinePlan, cutoff: datetime, kinds: Sequence[str]) -> Selector:
    def select_batch(after: int, limit: int) -> Any:
        return (
            select(Message.id, Message.id)
            .where(
                Message.tenant_id == tenant_id,
                Message.line_id == plan.line_id,
                Message.kind.in_(list(kinds)),
                Message.sent_at < cutoff,
                Message.id > after,
            )
            .order_by(Message.id)
            .limit(limit)
        )

    return select_batch


def _expired_media(tenant_id: int, plan: LinePlan) -> Selector:
    def select_batch(after: int, limit: int) -> Any:
        return (
            select(Attachment.id, Attachment.message_id)
            .join(Message, Message.id == Attachment.message_id)
            .where(
                Attachment.tenant_id == tenant_id,
                Message.line_id == plan.line_id,
                Message.sent_at < plan.media_cutoff,
                Attachment.id > after,
            )
            .order_by(Attachment.id)
            .limit(limit)
        )

    return select_batch


def _purge_messages(session: Session, run: _Run, rows: list[tuple[int, int]], kept: set[int]) -> None:
    report = run.report
    report.held += len(kept)
    ids = [message_id for message_id, _ in rows if message_id not in kept]
    if not ids:
        return
    attachments = session.execute(select(Attachment.id, Attachment.sha256).where(Attachment.message_id.in_(ids))).all()
    refs: dict[str, list[int]] = {
        RecordType.MESSAGE.value: ids,
        RecordType.ATTACHMENT.value: [a for a, _ in attachments],
    }
    counts = {"messages": len(ids), "attachments": len(attachments)}
    for record_type, model, name in FOLLOWUPS:
        refs[record_type.value] = list(session.execute(select(model.id).where(model.message_id.in_(ids))).scalars())
        counts[name] = len(refs[record_type.value])
    hits = list(session.execute(select(AlertHit.id).where(AlertHit.message_id.in_(ids))).scalars())
    counts["alert_hits"] = len(hits)
    report.purged += len(ids)
    for name, count in counts.items():
        if name != "messages":
            setattr(report, name, getattr(report, name) + count)
    if run.dry_run:
        return
    entries = _entries(session, run.tenant.id, refs)
    attachment_ids = refs[RecordType.ATTACHMENT.value]
    if attachment_ids:
        session.execute(delete(AttachmentText).where(AttachmentText.attachment_id.in_(attachment_ids)))
        session.execute(delete(Attachment).where(Attachment.id.in_(attachment_ids)))
    if hits:
        session.execute(delete(AlertHit).where(AlertHit.id.in_(hits)))
    for record_type, model, _ in FOLLOWUPS:
        if refs[record_type.value]:
            session.execute(delete(model).where(model.id.in_(refs[record_type.value])))
    remove_from_index(session, ids)
    remove_messages(session, ids)  # the rollups lose them in the same transaction (decision 0023)
    session.execute(delete(Message).where(Message.id.in_(ids)))
    _record(session, run, entries, detail={"scope": "messages", **counts}, digests=[d for _, d in attachments])


def _purge_attachments(session: Session, run: _Run, rows: list[tuple[int, int]], kept: set[int]) -> None:
    report = run.report
    chosen = [(attachment_id, message_id) for attachment_id, message_id in rows if message_id not in kept]
    report.held_attachments += len(rows) - len(chosen)
    if not chosen:
        return
    ids = [attachment_id for attachment_id, _ in chosen]
    report.attachments += len(ids)
    if run.dry_run:
        return
    digests = list(session.execute(select(Attachment.sha256).where(Attachment.id.in_(ids))).scalars())
    entries = _entries(session, run.tenant.id, {RecordType.ATTACHMENT.value: ids})
    session.execute(delete(AttachmentText).where(AttachmentText.attachment_id.in_(ids)))
    session.execute(delete(Attachment).where(Attachment.id.in_(ids)))
    reindex_messages(session, {message_id for _, message_id in chosen})  # captions and extracted text leave
    _record(session, run, entries, detail={"scope": "media", "attachments": len(ids)}, digests=digests)


def _entries(session: Session, tenant_id: int, refs: dict[str, list[int]]) -> list[Entry]:
    """A tombstone for every chained record about to go, with the hash the chain expects of it."""
    expected = expected_hashes(session, tenant_id=tenant_id, refs=refs)
    return [Entry(record_type, record_id, digest) for (record_type, record_id), digest in sorted(expected.items())]


def _record(
    session: Session, run: _Run, entries: list[Entry], *, detail: dict[str, Any], digests: list[str | None]
) -> None:
    tenant_id = run.tenant.id
    purge = Purge(tenant_id=tenant_id, at=datetime.now(UTC), actor=run.actor, reason=REASON, detail=detail)
    signer = run.signer()
    record_batch(
        session,
        batch=purge,
        entries=entries,
        signer=lambda: signer,
        checkpoint_every=run.runtime.settings.checkpoint_every,
    )
    queue_deletions(session, tenant_id=tenant_id, digests=digests)
    audit.record(
        session,
        tenant_id=tenant_id,
        actor=run.actor,
        action="retention_purge",
        object_type="purge",
        object_id=purge.id,
        detail={**detail, "tombstones": len(entries)},
    )
    run.report.purges.append(purge.id)
