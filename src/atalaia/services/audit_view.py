"""Reading the audit log in the console: filtered pages, and the check of its hash chain.

Reading the log is itself audited (`audit_log_viewed`), like every read an auditor makes. Pages
are fetched one row past the page size instead of counted, so a log of millions of entries pages
without a full count. The chain check walks the tenant's audit entries only, not the archive:
`atalaia verify` checks everything; this is what can run while someone waits for a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

# verify.py offers the whole-tenant check only; its audit-log part is what this page needs.
from atalaia.archive.verify import VerifyReport, _verify_audit
from atalaia.db.models import AuditEntry
from atalaia.services import audit
from atalaia.services.access import Principal

RECENT_FOR_CHOICES: Final = 10_000  # the action list offered as choices comes from this many latest entries
DETAIL_CHARS: Final = 300


@dataclass(frozen=True, slots=True)
class AuditFilters:
    action: str | None = None
    actor: str | None = None  # a part of the actor (e-mail, "cli", "system"), case-insensitive
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive

    def as_detail(self) -> dict[str, str]:
        values = {"action": self.action, "actor": self.actor, "start": self.start, "end": self.end}
        return {name: str(value) for name, value in values.items() if value is not None}


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    object: str | None
    outcome: str
    ip: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditRow]
    has_more: bool


@dataclass(frozen=True, slots=True)
class AuditCheck:
    ok: bool
    entries: int
    problems: list[dict[str, str]] = field(default_factory=list)


def _detail(value: dict[str, Any] | None) -> str | None:
    if not value:
        return None
    text = ", ".join(f"{key}: {item}" for key, item in value.items())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def read_audit_log(
    session: Session,
    *,
    reader: Principal,
    filters: AuditFilters,
    limit: int,
    offset: int,
    ip: str | None = None,
) -> AuditPage:
    """One page of entries, newest first; the read is audited."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == reader.tenant_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        query = query.where(func.lower(AuditEntry.actor).contains(filters.actor.lower(), autoescape=True))
    if filters.start is not None:
        query = query.where(AuditEntry.at >= filters.start)
    if filters.end is not None:
        query = query.where(AuditEntry.at < filters.end)
    entries = list(session.execute(query.order_by(AuditEntry.seq.desc()).limit(limit + 1).offset(offset)).scalars())
    rows = [
        AuditRow(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            object=f"{e.object_type} {e.object_id}" if e.object_type else None,
            outcome=e.outcome,
            ip=e.ip,
            detail=_detail(e.detail),
        )
        for e in entries[:limit]
    ]
    audit.record(
        session,
        tenant_id=reader.tenant_id,
        actor=reader.email,
        user_id=reader.user_id,
        action="audit_log_viewed",
        detail={**filters.as_detail(), "offset": offset},
        ip=ip,
    )
    return AuditPage(rows=rows, has_more=len(entries) > limit)


def recent_actions(session: Session, *, tenant_id: int) -> list[str]:
    recent = (
        select(AuditEntry.action)
        .where(AuditEntry.tenant_id == tenant_id)
        .order_by(AuditEntry.seq.desc())
        .limit(RECENT_FOR_CHOICES)
        .subquery()
    )
    return sorted(session.execute(select(recent.c.action).distinct()).scalars())


def check_audit_chain(session: Session, *, reader: Principal, ip: str | None = None) -> AuditCheck:
    """Walks the tenant's audit chain (removed, altered or reordered entries); the check is audited.

    The walk detaches every object from `session` as it goes (to keep memory flat): call it
    before loading anything else the request needs.
    """
    report = VerifyReport()
    _verify_audit(session, tenant_id=reader.tenant_id, report=report)
    check = AuditCheck(ok=report.ok, entries=report.audit_entries, problems=[p.as_dict() for p in report.problems])
    detail = {"intact": check.ok, "entries": check.entries, "problems": len(check.problems)}
    audit.record(
        session,
        tenant_id=reader.tenant_id,
        actor=reader.email,
        user_id=reader.user_id,
        action="audit_chain_verified",
        detail=detail,
        ip=ip,
    )
    return check
