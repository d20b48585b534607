"""Cloud API webhook ingestion: journal first, then authenticate, parse, route and archive — in batches.

1. Every body is appended to the journal and committed before anything else, so an acknowledged
   request is never lost, whatever happens next (a crash here leaves it to `journal replay`).
2. A bad signature marks the entry rejected: nothing is parsed or archived.
3. The authentic bodies of a batch are parsed; their changes are routed to their lines and each
   line's events archived together, scanned by the policies and the entries marked processed, all
   in one transaction: a batch is stored whole or not at all.
4. If that transaction fails, each entry is tried alone, so one poisonous body cannot hold the
   others back; the one that still fails is marked failed with its reason and stays replayable.

The web layer feeds concurrent requests through a `MicroBatcher` (see web/webhooks/cloud.py), so
under load hundreds of bodies share one transaction; a lone request is a batch of one.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaia.archive import ArchiveResult, archive_lines
from atalaia.archive.directory import sync_address_book
from atalaia.archive.sanitize import bounded_id
from atalaia.connectors.cloud_api import CloudChange, parse_notification, signature_valid
from atalaia.db.engine import transaction
from atalaia.db.models import Line, Tenant
from atalaia.domain.enums import JournalStatus, LineStatus
from atalaia.domain.events import ArchiveEvent, MessageEvent
from atalaia.journal import EntryMark, append_entries, list_pending, mark_entries, mark_entry
from atalaia.runtime import Runtime
from atalaia.services.cloud_line_signatures import signed_by_their_lines
from atalaia.services.compliance.scanning import scan_new_messages
from atalaia.services.lines import record_history_progress
from atalaia.services.notices import queue_notices

log = logging.getLogger(__name__)
MAX_NOTES_CHARS = 2000


@dataclass(slots=True)
class IngestOutcome:
    status_code: int
    journal_id: int | None
    detail: str = "ok"
    result: ArchiveResult = field(default_factory=ArchiveResult)
    problems: list[str] = field(default_factory=list)
    archived: bool = True  # False: journaled only, archived in the background (no counts yet)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook request as received: its raw body and headers."""

    body: bytes
    headers: Mapping[str, str]


@dataclass(slots=True)
class _Entry:
    """A journal entry on its way through a batch."""

    entry_id: int
    changes: list[CloudChange] | None  # None: the body is not JSON
    outcome: IngestOutcome
    messages: list[tuple[int, str]] = field(default_factory=list)  # (line id, bounded provider id)
    first_line: Line | None = None


def receive_cloud(runtime: Runtime, *, body: bytes, headers: Mapping[str, str]) -> IngestOutcome:
    """Handle one `POST /webhooks/cloud` body end to end (a batch of one)."""
    return receive_cloud_batch(runtime, [Delivery(body, headers)])[0]


def receive_cloud_batch(runtime: Runtime, deliveries: Sequence[Delivery]) -> list[IngestOutcome]:
    """Journal every body in one commit, reject the unsigned, archive the rest together."""
    outcomes, authentic = journal_cloud_batch(runtime, deliveries, pending=False)
    archived = dict(
        zip((entry_id for entry_id, _ in authentic), process_cloud_entries(runtime, authentic), strict=True)
    )
    return [archived.get(outcome.journal_id or 0, outcome) for outcome in outcomes]


def journal_cloud_batch(
    runtime: Runtime, deliveries: Sequence[Delivery], *, pending: bool
) -> tuple[list[IngestOutcome], list[tuple[int, bytes]]]:
    """Check each signature and journal every body in one commit, the unsigned as rejected.

    Returns one outcome per delivery (401 for the rejected; 200 "queued" for the rest, which the
    caller archives) and the authentic entries to archive. With `pending`, those entries are
    marked so that a restart archives them if this process dies first (`pending_cloud_entries`).
    """
    secret = runtime.settings.cloud_app_secret
    reason = "invalid X-Hub-Signature-256" if secret else "ATALAIA_CLOUD_APP_SECRET is not configured"
    signed = [
        secret is not None
        and signature_valid(body=d.body, header=_signature_header(d.headers), app_secret=secret.get_secret_value())
        for d in deliveries
    ]
    if not all(signed):  # perhaps signed by the Meta app of the lines they name
        unsigned = [i for i, good in enumerate(signed) if not good]
        checked = signed_by_their_lines(runtime, [(deliveries[i].body, _signature_header(deliveries[i].headers))
                                                  for i in unsigned])  # fmt: skip
        for i, good in zip(unsigned, checked, strict=True):
            signed[i] = good
    ok = JournalStatus.PENDING if pending else JournalStatus.ACCEPTED
    verdicts = [(ok, None) if good else (JournalStatus.REJECTED, reason) for good in signed]
    with transaction(runtime.sessions) as session:
        entry_ids = append_entries(session, source="cloud", requests=[(d.body, d.headers) for d in deliveries],
                                   verdicts=verdicts)  # fmt: skip
    if not all(signed):
        log.warning("%s cloud webhook(s) rejected: %s", signed.count(False), reason)
    outcomes = [IngestOutcome(200, i, "queued", archived=False) if good else IngestOutcome(401, i, reason)
                for i, good in zip(entry_ids, signed, strict=True)]  # fmt: skip
    authentic = [(i, d.body) for i, d, good in zip(entry_ids, deliveries, signed, strict=True) if good]
    return outcomes, authentic


def pending_cloud_entries(runtime: Runtime, *, limit: int = 10_000) -> list[tuple[int, bytes]]:
    """Entries journaled by `journal_cloud_batch(pending=True)` whose archiving never finished."""
    with runtime.sessions() as session:
        return list_pending(session, source="cloud", limit=limit)


def _signature_header(headers: Mapping[str, str]) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "x-hub-signature-256"), None)


def process_cloud_entry(runtime: Runtime, *, entry_id: int, body: bytes) -> IngestOutcome:
    """Parse and archive one authenticated journal entry; safe to run again (replay)."""
    return process_cloud_entries(runtime, [(entry_id, body)])[0]


def process_cloud_entries(runtime: Runtime, entries: Sequence[tuple[int, bytes]]) -> list[IngestOutcome]:
    """Parse and archive authenticated journal entries in one transaction; safe to run again."""
    if not entries:
        return []
    try:
        with transaction(runtime.sessions) as session:
            return _store(session, runtime, [_parse(entry_id, body) for entry_id, body in entries])
    except Exception as exc:
        if len(entries) > 1:
            log.warning("a batch of %s cloud webhooks failed (%s); archiving them one by one", len(entries), exc)
            return [process_cloud_entries(runtime, [entry])[0] for entry in entries]
        entry_id = entries[0][0]
        # Keep the body for replay and say why; the provider gets a 500 and will retry.
        log.exception("cloud webhook %s failed", entry_id)
        with transaction(runtime.sessions) as session:
            mark_entry(session, entry_id, status=JournalStatus.FAILED, reason=f"{type(exc).__name__}: {exc}")
        return [IngestOutcome(500, entry_id, "archiving failed; kept in the journal for replay")]


def _parse(entry_id: int, body: bytes) -> _Entry:
    try:
        payload: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, absurd nesting
        outcome = IngestOutcome(400, entry_id, "malformed JSON", problems=[f"malformed JSON: {exc}"])
        return _Entry(entry_id, None, outcome)
    changes = parse_notification(payload)
    outcome = IngestOutcome(200, entry_id, problems=[p for c in changes for p in c.problems])
    return _Entry(entry_id, changes, outcome)


def _store(session: Session, runtime: Runtime, entries: list[_Entry]) -> list[IngestOutcome]:
    routes = _routes(session, {c.phone_number_id for e in entries for c in e.changes or () if c.phone_number_id})
    events: dict[int, list[ArchiveEvent]] = defaultdict(list)
    for entry in entries:
        for change in entry.changes or ():
            if not (change.events or change.synced_contacts or change.history_progress is not None):
                continue
            route = routes.get(change.phone_number_id or "")
            if route is None:
                entry.outcome.problems.append(f"no line for phone_number_id {change.phone_number_id!r}")
                continue
            line, tenant = route
            if line.status == LineStatus.RETIRED.value:
                entry.outcome.problems.append(f"line {line.number} is retired; kept in the journal only")
                continue
            entry.first_line = entry.first_line or line
            events[line.id].extend(change.events)
            entry.messages.extend((line.id, bounded_id(e.provider_message_id)) for e in change.events
                                  if isinstance(e, MessageEvent))  # fmt: skip
            if change.synced_contacts:
                sync_address_book(session, tenant_id=tenant.id, refs=change.synced_contacts, now=datetime.now(UTC))
            if change.history_progress is not None:
                record_history_progress(session, line_id=line.id, phase=change.history_phase,
                                        progress=change.history_progress, now=datetime.now(UTC))  # fmt: skip
    tenants = {tenant.id: tenant for _, tenant in routes.values()}
    line_tenant = {line.id: line.tenant_id for line, _ in routes.values()}
    new_ids: dict[int, set[str]] = {}
    for tenant_id, tenant in tenants.items():
        mine = {line_id: line_events for line_id, line_events in events.items() if line_tenant[line_id] == tenant_id}
        if not mine:
            continue
        archived = archive_lines(session, runtime.archive_context(tenant), mine)
        new_ids.update((line_id, set(result.new_provider_ids)) for line_id, result in archived.items())
        new_messages = [i for result in archived.values() for i in result.new_message_ids]
        scan_new_messages(session, tenant_id=tenant_id, message_ids=new_messages)
        queue_notices(session, tenant=tenant, message_ids=new_messages, public_url=runtime.settings.public_url,
                      now=datetime.now(UTC))  # fmt: skip
    mark_entries(session, [_attribute(entry, new_ids) for entry in entries])
    return [entry.outcome for entry in entries]


def _attribute(entry: _Entry, new_ids: dict[int, set[str]]) -> EntryMark:
    """The entry's own counts (the first delivery of a message in a batch gets it) and its verdict."""
    result = entry.outcome.result
    for line_id, provider_id in entry.messages:
        result.messages += 1
        fresh = new_ids.get(line_id, set())
        if provider_id in fresh:
            fresh.discard(provider_id)
            result.new += 1
        else:
            result.duplicates += 1
    problems = entry.outcome.problems
    unrouted = any(p.startswith("no line") for p in problems)
    failed = entry.changes is None or (unrouted and entry.first_line is None)
    line = entry.first_line
    return EntryMark(
        entry.entry_id,
        JournalStatus.FAILED if failed else JournalStatus.ACCEPTED,
        "; ".join(problems)[:MAX_NOTES_CHARS] or None,
        tenant_id=line.tenant_id if line else None,
        line_id=line.id if line else None,
    )


def _routes(session: Session, phone_number_ids: set[str]) -> dict[str, tuple[Line, Tenant]]:
    """Each `metadata.phone_number_id` to its line and tenant, in one query."""
    if not phone_number_ids:
        return {}
    rows = session.execute(
        select(Line, Tenant).join(Tenant, Tenant.id == Line.tenant_id).where(Line.phone_number_id.in_(phone_number_ids))
    ).all()
    return {line.phone_number_id: (line, tenant) for line, tenant in rows if line.phone_number_id}


__all__ = [
    "Delivery",
    "IngestOutcome",
    "journal_cloud_batch",
    "pending_cloud_entries",
    "process_cloud_entry",
    "receive_cloud",
    "receive_cloud_batch",
]
