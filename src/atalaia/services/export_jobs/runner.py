"""The worker's side of an export job: run it, report progress on its row, keep the file, or say why not.

1. Take the row from `queued` (or `running`, when an earlier attempt died) to `running`; clear
   what an interrupted attempt left on disk.
2. Check the requester again as they are now (still active, still allowed to see the
   selection): a manager moved to another team meanwhile gets nothing.
3. Run the export service (eDiscovery: `exports.export_archive` into a folder, then zipped;
   access request: `services.subject_export.export_subject`, already a ZIP), writing progress to
   the row after every batch (one small UPDATE per 500 messages), which also renews the job's
   claim so a long export is not taken over by another worker as if it had died.
4. Done: the ZIP's path, size and SHA-256, the manifest's SHA-256, the checkpoint and the expiry;
   an access request is closed in the register. Failed: the reason, in Portuguese when it is one
   of ours, the error's type otherwise; the job is not retried (asking again is one click) and
   nothing is left on disk. Both the export service and this step audit.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from atalaia.db.engine import transaction
from atalaia.db.models import ExportJob, Job, SubjectRequest, Tenant, User
from atalaia.errors import AtalaiaError, NotFound
from atalaia.exports import ExportRequest, export_archive
from atalaia.jobs.queue import ClaimedJob
from atalaia.runtime import Runtime
from atalaia.services.access import Principal, principal_for
from atalaia.services.export_jobs.create import SUBJECT_ACCESS, SUBJECT_ROLES
from atalaia.services.export_jobs.selection import check_in_scope, spec_of
from atalaia.services.export_jobs.storage import clear_leftovers, relative, tenant_folder, zip_name
from atalaia.services.governance.inputs import mask_phone
from atalaia.services.subject_export import SubjectExportRequest, export_subject
from atalaia.services.subject_export.package import pack

log = logging.getLogger(__name__)
REQUESTER_GONE = "o solicitante não está mais ativo; a exportação não foi feita"


@dataclass(frozen=True, slots=True)
class _Outcome:
    path: Path
    sha256: str
    manifest_sha256: str
    checkpoint_seq: int


class RowProgress:
    """The export's progress hooks, written to the export row; each write also renews the job's claim."""

    def __init__(self, runtime: Runtime, *, export_id: int, job_id: int | None) -> None:
        self._runtime, self._export_id, self._job_id = runtime, export_id, job_id
        self.done = 0

    def start(self, total: int) -> None:
        self._write(progress_total=total, progress_done=0)

    def advance(self, done: int) -> None:
        self.done += done
        self._write(progress_done=self.done)

    def _write(self, **values: int) -> None:
        now = datetime.now(UTC)
        with transaction(self._runtime.sessions) as session:
            session.execute(update(ExportJob).where(ExportJob.id == self._export_id).values(**values))
            if self._job_id is not None:
                session.execute(
                    update(Job).where(Job.id == self._job_id, Job.status == "running").values(claimed_at=now)
                )


def run_export_job(runtime: Runtime, job: ClaimedJob) -> None:
    """The `export.run` job handler; see the module docstring."""
    export_id = int(job.payload.get("export_job_id", 0))
    started = _start(runtime, export_id=export_id, tenant_id=job.tenant_id)
    if started is None:
        return  # finished, expired or unknown: nothing to do
    row, tenant = started
    folder = tenant_folder(runtime.settings.home, tenant.id)
    clear_leftovers(folder, export_id)
    try:
        principal = _requester(runtime, row)
        progress = RowProgress(runtime, export_id=export_id, job_id=job.id)
        run = _run_subject if row.kind == SUBJECT_ACCESS else _run_ediscovery
        outcome = run(runtime, tenant, row, principal, folder, progress)
    except AtalaiaError as exc:
        _fail(runtime, row, exc.message)
        clear_leftovers(folder, export_id)
    except Exception as exc:
        log.exception("export job %s failed", export_id)  # logged with its trace; the row gets the type only
        _fail(runtime, row, f"erro interno ({type(exc).__name__}); veja o log do worker")
        clear_leftovers(folder, export_id)
    else:
        _finish(runtime, row, outcome)


def _start(runtime: Runtime, *, export_id: int, tenant_id: int) -> tuple[ExportJob, Tenant] | None:
    with transaction(runtime.sessions) as session:
        row = session.get(ExportJob, export_id)
        if row is None or row.tenant_id != tenant_id or row.status not in ("queued", "running"):
            return None
        row.status, row.started_at, row.progress_done, row.error = "running", datetime.now(UTC), 0, None
        tenant = session.get_one(Tenant, tenant_id)
        session.flush()
        session.expunge(row)
        session.expunge(tenant)
    return row, tenant


def _requester(runtime: Runtime, row: ExportJob) -> Principal:
    """The requester as they are now, checked against the selection again (denials audited)."""
    with transaction(runtime.sessions) as session:
        user = session.get(User, row.requested_by_user_id) if row.requested_by_user_id else None
        if user is None or user.tenant_id != row.tenant_id or not user.is_active:
            raise NotFound(REQUESTER_GONE)
        principal = principal_for(session, user)
    if row.kind == SUBJECT_ACCESS:
        if principal.role not in SUBJECT_ROLES:
            raise NotFound(REQUESTER_GONE)
        return principal
    denied: AtalaiaError | None = None
    with transaction(runtime.sessions) as session:  # commits the audit of a denial
        try:
            check_in_scope(session, principal=principal, selection=row.selection, ip=None)
        except AtalaiaError as exc:
            denied = exc
    if denied is not None:
        raise denied
    return principal


def _run_ediscovery(
    runtime: Runtime, tenant: Tenant, row: ExportJob, principal: Principal, folder: Path, progress: RowProgress
) -> _Outcome:
    work = folder / f"job-{row.id}.d"
    request = ExportRequest(selection=spec_of(row.selection), format=row.format, out=work, actor=principal.email,
                            user_id=principal.user_id)  # fmt: skip
    result = export_archive(runtime, tenant=tenant, request=request, progress=progress)
    try:
        target = folder / zip_name(row.id)
        sha = pack(result.path, target)
    finally:
        shutil.rmtree(result.path, ignore_errors=True)
    return _Outcome(target, sha, result.manifest_sha256, result.checkpoint.seq)


def _run_subject(
    runtime: Runtime, tenant: Tenant, row: ExportJob, principal: Principal, folder: Path, progress: RowProgress
) -> _Outcome:
    request = SubjectExportRequest(phone=str(row.selection.get("phone", "")), out=folder / zip_name(row.id),
                                   actor=principal.email, user_id=principal.user_id)  # fmt: skip
    result = export_subject(runtime, tenant=tenant, request=request, progress=progress)
    return _Outcome(result.path, result.sha256, result.manifest_sha256, result.checkpoint.seq)


def _finish(runtime: Runtime, row: ExportJob, outcome: _Outcome) -> None:
    now = datetime.now(UTC)
    expires = now + timedelta(days=runtime.settings.export_expiry_days)
    values: dict[str, Any] = {
        "status": "done", "finished_at": now, "expires_at": expires, "sha256": outcome.sha256,
        "result_path": relative(runtime.settings.home, outcome.path), "result_size": outcome.path.stat().st_size,
        "manifest_sha256": outcome.manifest_sha256, "checkpoint_seq": outcome.checkpoint_seq,
    }  # fmt: skip
    _settle(runtime, row, values, close=_close_access)


def _fail(runtime: Runtime, row: ExportJob, message: str) -> None:
    _settle(runtime, row, {"status": "failed", "finished_at": datetime.now(UTC), "error": message[:2000]}, close=None)


def _settle(
    runtime: Runtime,
    row: ExportJob,
    values: dict[str, Any],
    *,
    close: Callable[[SubjectRequest, datetime], None] | None,
) -> None:
    """Write the outcome; an access request's phone is masked once the job no longer needs it."""
    if "phone" in row.selection:
        values["selection"] = {"phone": mask_phone(str(row.selection["phone"]))}
    with transaction(runtime.sessions) as session:
        session.execute(update(ExportJob).where(ExportJob.id == row.id).values(**values))
        if close is not None and row.subject_request_id is not None:
            request = session.get(SubjectRequest, row.subject_request_id)
            if request is not None and request.status in ("open", "partial"):
                close(request, values["finished_at"])


def _close_access(request: SubjectRequest, now: datetime) -> None:
    request.status, request.completed_at = "done", now
