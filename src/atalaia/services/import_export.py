"""`atalaia import`: a chat export (`.txt` or `.zip`) archived into one line, idempotently.

1. A first streaming pass collects the authors, to tell a group from a one-to-one chat and to
   name the other party; nothing is held in memory but the distinct names.
2. A second pass turns messages into events (ids derived from what the export shows, so the
   same or an overlapping export adds nothing twice) and archives them in batches; media inside
   a zip is stored encrypted and linked to its message.
3. The chain head is signed at the end, as after any bulk import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from atalaia.archive import ArchiveResult, archive_events
from atalaia.archive.chain import checkpoint_now
from atalaia.connectors.chat_export import (
    collect_authors,
    contact_ref_for,
    conversation_ref_for,
    read_export,
    to_message_events,
)
from atalaia.db.engine import transaction
from atalaia.db.models import Conversation, Employee, Tenant
from atalaia.domain.events import ArchiveEvent
from atalaia.errors import InvalidInput
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.compliance import scan_new_messages
from atalaia.services.lines import get_line

BATCH: Final = 1000
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ImportResult:
    messages: int
    new: int
    duplicates: int
    attachments: int
    conversation_id: int | None
    owner: str | None


def import_chat_export(
    runtime: Runtime,
    *,
    tenant: Tenant,
    path: Path,
    line_number: str,
    me: str | None = None,
    tz: str | None = None,
    locale: str = "auto",
    progress: Progress | None = None,
) -> ImportResult:
    with runtime.sessions() as session:
        line = get_line(session, tenant_id=tenant.id, number=line_number)
        employee = session.get(Employee, line.employee_id) if line.employee_id else None
    try:
        zone = ZoneInfo(tz or line.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {tz!r}") from None
    owner = me or (employee.name if employee else None)
    result = ArchiveResult()
    with read_export(path, locale=locale) as reader:
        authors = collect_authors(reader.messages())
        if owner is not None and authors and owner not in authors and me is not None:
            raise InvalidInput(f"--me {me!r} never wrote in this export; authors: {', '.join(authors[:10])}")
        others = [a for a in authors if a != owner]
        direct = len(others) <= 1 and len(authors) <= 2
        # A one-to-one chat lands in the conversation its webhooks would fill; a group is keyed
        # by its name, which every later export of it carries too.
        key = contact_ref_for(others[0]).key if direct and others else "export-group:" + (reader.chat_name or path.stem)
        subject = None if direct else reader.chat_name
        conversation = conversation_ref_for(key=key, authors=authors, owner_name=owner, subject=subject)
        events = to_message_events(reader.messages(progress=progress), owner_name=owner, tz=zone,
                                   conversation=conversation, media=reader.media.get)  # fmt: skip
        batch: list[ArchiveEvent] = []
        for event in events:
            batch.append(event)
            if len(batch) >= BATCH:
                _archive(runtime, tenant, line.id, batch, result)
        if batch:
            _archive(runtime, tenant, line.id, batch, result)
    with transaction(runtime.sessions) as session:
        checkpoint_now(session, tenant_id=tenant.id, signer=lambda: runtime.signer(tenant))
        audit.record(session, tenant_id=tenant.id, actor="cli", action="export_imported", object_type="line",
                     object_id=line.id, detail={"file": path.name[:200], "new": result.new,
                                                "duplicates": result.duplicates})  # fmt: skip
    with runtime.sessions() as session:
        conversation_id = session.execute(
            select(Conversation.id).where(Conversation.line_id == line.id, Conversation.key == key)
        ).scalar_one_or_none()
    return ImportResult(
        messages=result.messages,
        new=result.new,
        duplicates=result.duplicates,
        attachments=result.attachments,
        conversation_id=conversation_id,
        owner=owner,
    )


def _archive(runtime: Runtime, tenant: Tenant, line_id: int, batch: list[ArchiveEvent], result: ArchiveResult) -> None:
    with transaction(runtime.sessions) as session:
        archived = archive_events(session, runtime.archive_context(tenant, line_id=line_id), batch)
        # Old history: alerts are raised for review, but nobody is e-mailed about last year's chats.
        scan_new_messages(session, tenant_id=tenant.id, message_ids=archived.new_message_ids, notify=False)
    # The running total needs counts only: a 1 GB export would otherwise keep every id in memory.
    archived.new_message_ids.clear()
    archived.new_provider_ids.clear()
    result.add(archived)
    batch.clear()
