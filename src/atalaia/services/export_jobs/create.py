"""Asking for an export: the row and the job that runs it, written in the caller's transaction, audited.

An eDiscovery export (a conversation, line, case or search) may be asked for by anyone within
their scope (`selection.py`); an LGPD access request (everything about one person) only by the
roles that serve data subjects, and it enters the request register (15-day deadline) before the
job is queued, so the register shows it even while the export runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from atalaia.db.models import ExportJob
from atalaia.domain.enums import Role
from atalaia.errors import Forbidden, InvalidInput, NotFound
from atalaia.exports import ExportFormat
from atalaia.jobs.queue import enqueue
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.export_jobs.selection import check_in_scope, parse_selection
from atalaia.services.governance.inputs import mask_phone, require_reason, subject_phone
from atalaia.services.governance.subject_requests import open_request
from atalaia.services.subject_export.identity import find_subject

KIND: Final = "export.run"  # the `jobs` kind the worker runs (runner.py)
EDISCOVERY: Final = "ediscovery"
SUBJECT_ACCESS: Final = "subject_access"
SUBJECT_FORMAT: Final = "zip"
SUBJECT_ROLES: Final = frozenset({Role.ADMIN, Role.COMPLIANCE})  # who serves data subjects' requests
SUBJECT_ONLY: Final = "pedidos de titulares (LGPD) são atendidos pela conformidade ou pela administração"


def export_format(value: str) -> ExportFormat:
    try:
        return ExportFormat((value or "").strip().lower())
    except ValueError:
        raise InvalidInput("formato desconhecido: use rsmf, jsonl, csv ou pdf") from None


def create_export_job(
    session: Session, *, principal: Principal, selection: Mapping[str, Any], fmt: str, ip: str | None = None
) -> ExportJob:
    """Queue an eDiscovery export of something the principal can see; audited as `export_requested`."""
    chosen = export_format(fmt)
    parsed = parse_selection(selection)
    check_in_scope(session, principal=principal, selection=parsed, ip=ip)
    return _queue(session, principal=principal, kind=EDISCOVERY, selection=parsed, fmt=chosen.value, ip=ip)


def open_access_request(
    session: Session, *, principal: Principal, phone: str, reason: str, ip: str | None = None
) -> ExportJob:
    """Register an LGPD access request for a phone and queue the subject's ZIP (LGPD arts. 18 II and V, 19).

    An unknown number is refused (NotFound) and the lookup audited, since someone asked about a
    person; answer the error rather than raise it through the transaction to keep that entry.
    """
    if principal.role not in SUBJECT_ROLES:
        raise Forbidden(SUBJECT_ONLY)
    reason = require_reason(reason, what="o pedido de acesso")
    e164 = subject_phone(phone[:64])
    now = datetime.now(UTC)
    try:
        subject = find_subject(session, tenant_id=principal.tenant_id, query=e164)
    except NotFound:
        _audit(session, principal, "subject_access_requested", "subject", mask_phone(e164), "failed",
               {"error": "NotFound"}, ip)  # fmt: skip
        raise
    request = open_request(
        session, tenant_id=principal.tenant_id, kind="access", contact_id=subject.contact_ids[0],
        subject=mask_phone(subject.label), reason=reason, actor=principal.email, now=now,
    )  # fmt: skip
    job = _queue(session, principal=principal, kind=SUBJECT_ACCESS, selection={"phone": e164}, fmt=SUBJECT_FORMAT,
                 ip=ip, subject_request_id=request.id)  # fmt: skip
    _audit(session, principal, "subject_access_requested", "subject_request", request.id, "ok",
           {"export_job_id": job.id, "subject": request.subject}, ip)  # fmt: skip
    return job


def _queue(
    session: Session, *, principal: Principal, kind: str, selection: dict[str, Any], fmt: str, ip: str | None,
    subject_request_id: int | None = None,
) -> ExportJob:  # fmt: skip
    job = ExportJob(
        tenant_id=principal.tenant_id, kind=kind, selection=selection, format=fmt, requested_by=principal.email,
        requested_by_user_id=principal.user_id, subject_request_id=subject_request_id, status="queued",
        progress_done=0, created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(job)
    session.flush()
    enqueue(session, tenant_id=principal.tenant_id, kind=KIND, payload={"export_job_id": job.id})
    shown = {"phone": mask_phone(selection["phone"])} if "phone" in selection else selection
    _audit(session, principal, "export_requested", "export_job", job.id, "ok",
           {"kind": kind, "format": fmt, "selection": shown}, ip)  # fmt: skip
    return job


def _audit(
    session: Session, principal: Principal, action: str, object_type: str, object_id: Any, outcome: str,
    detail: dict[str, Any], ip: str | None,
) -> None:  # fmt: skip
    audit.record(
        session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id, action=action,
        object_type=object_type, object_id=object_id, outcome=outcome,
        detail={"role": principal.role.value, **detail}, ip=ip,
    )  # fmt: skip
