"""Webhook ingestion: journal first, then authenticate, parse, route and archive.

1. The body is appended to the journal and committed before anything else, so an acknowledged
   request is never lost, whatever happens next (a crash here leaves it to `journal replay`).
2. A bad signature marks the entry rejected: nothing is parsed or archived.
3. The body is parsed; each change is routed to its line and archived in its own transaction.
4. The entry is marked processed, or failed with the reason; failures stay replayable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from atalaia.archive import ArchiveResult, archive_events
from atalaia.connectors.cloud_api import parse_notification, signature_valid
from atalaia.db.engine import transaction
from atalaia.db.models import JournalEntry, Line, Tenant
from atalaia.domain.enums import JournalStatus
from atalaia.journal import append_entry, mark_entry
from atalaia.runtime import Runtime
from atalaia.services.compliance.scanning import scan_new_messages

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestOutcome:
    status_code: int
    journal_id: int | None
    detail: str = "ok"
    result: ArchiveResult = field(default_factory=ArchiveResult)
    problems: list[str] = field(default_factory=list)


def receive_cloud(runtime: Runtime, *, body: bytes, headers: Mapping[str, str]) -> IngestOutcome:
    """Handle one `POST /webhooks/cloud` body end to end."""
    with transaction(runtime.sessions) as session:
        entry_id = append_entry(session, source="cloud", body=body, headers=headers)
    secret = runtime.settings.cloud_app_secret
    header = next((v for k, v in headers.items() if k.lower() == "x-hub-signature-256"), None)
    if secret is None or not signature_valid(body=body, header=header, app_secret=secret.get_secret_value()):
        reason = "invalid X-Hub-Signature-256" if secret else "ATALAIA_CLOUD_APP_SECRET is not configured"
        with transaction(runtime.sessions) as session:
            mark_entry(session, entry_id, status=JournalStatus.REJECTED, reason=reason, processed=True)
        log.warning("cloud webhook %s rejected: %s", entry_id, reason)
        return IngestOutcome(401, entry_id, reason)
    return process_cloud_entry(runtime, entry_id=entry_id, body=body)


def process_cloud_entry(runtime: Runtime, *, entry_id: int, body: bytes) -> IngestOutcome:
    """Parse and archive an authenticated journal entry; safe to run again (replay)."""
    try:
        payload: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = f"malformed JSON: {exc}"
        with transaction(runtime.sessions) as session:
            mark_entry(session, entry_id, status=JournalStatus.FAILED, reason=reason, processed=True)
        return IngestOutcome(400, entry_id, "malformed JSON")
    outcome = IngestOutcome(200, entry_id)
    first_line: Line | None = None
    try:
        for change in parse_notification(payload):
            outcome.problems.extend(change.problems)
            if not change.events:
                continue
            line, tenant = _route(runtime, change.phone_number_id)
            if line is None or tenant is None:
                outcome.problems.append(f"no line for phone_number_id {change.phone_number_id!r}")
                continue
            first_line = first_line or line
            with transaction(runtime.sessions) as session:
                archived = archive_events(session, runtime.archive_context(tenant, line_id=line.id), change.events)
                scan_new_messages(session, tenant_id=tenant.id, message_ids=archived.new_message_ids)
                outcome.result.add(archived)
    except Exception as exc:
        # Keep the body for replay and say why; the provider gets a 500 and will retry.
        log.exception("cloud webhook %s failed", entry_id)
        with transaction(runtime.sessions) as session:
            mark_entry(session, entry_id, status=JournalStatus.FAILED, reason=f"{type(exc).__name__}: {exc}")
        return IngestOutcome(500, entry_id, "archiving failed; kept in the journal for replay")
    unrouted = [p for p in outcome.problems if p.startswith("no line")]
    with transaction(runtime.sessions) as session:
        mark_entry(
            session,
            entry_id,
            status=JournalStatus.FAILED if unrouted and first_line is None else JournalStatus.ACCEPTED,
            reason="; ".join(outcome.problems)[:2000] or None,
            tenant_id=first_line.tenant_id if first_line else None,
            line_id=first_line.id if first_line else None,
            processed=True,
        )
    return outcome


def _route(runtime: Runtime, phone_number_id: str | None) -> tuple[Line | None, Tenant | None]:
    if not phone_number_id:
        return None, None
    with runtime.sessions() as session:
        line = session.execute(select(Line).where(Line.phone_number_id == phone_number_id)).scalar_one_or_none()
        tenant = session.get(Tenant, line.tenant_id) if line else None
    return line, tenant


def pending_entries(runtime: Runtime) -> list[int]:
    with runtime.sessions() as session:
        return list(
            session.execute(
                select(JournalEntry.id).where(
                    JournalEntry.status != JournalStatus.REJECTED.value, JournalEntry.processed_at.is_(None)
                )
            ).scalars()
        )
