"""Reading export jobs: who sees which, what a row looks like outside, and the audited download.

Everyone sees the jobs they asked for; administrators and auditors see every job of the tenant
and may download any of them (SPEC: the auditor reads everything, every read logged), and no
one else may download a job that is not theirs. A job someone may not see answers 404 like a
missing one, the attempt audited as denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from atalaia.db.models import ExportJob
from atalaia.domain.enums import Role
from atalaia.errors import AtalaiaError, NotFound
from atalaia.services import audit
from atalaia.services.access import Principal
from atalaia.services.export_jobs.storage import resolve_stored

SEE_ALL: Final = frozenset({Role.ADMIN, Role.AUDITOR})
NOT_FOUND: Final = "exportação não encontrada"
MAX_LIST: Final = 200


class ExportExpired(AtalaiaError):
    """The export existed and its time is up: the file is (or is about to be) deleted."""

    status = 410


class ExportNotReady(AtalaiaError):
    status = 409


def visible_jobs(principal: Principal) -> ColumnElement[bool]:
    clause = ExportJob.tenant_id == principal.tenant_id
    if principal.role in SEE_ALL:
        return clause & true()
    return clause & (ExportJob.requested_by_user_id == principal.user_id)


def list_jobs(session: Session, *, principal: Principal, limit: int = 50) -> list[ExportJob]:
    """Newest first. Rows hold no archived content, only what was asked and its outcome: not audited."""
    limit = max(1, min(limit, MAX_LIST))
    query = select(ExportJob).where(visible_jobs(principal)).order_by(ExportJob.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def get_job(session: Session, *, principal: Principal, job_id: int, ip: str | None = None) -> ExportJob:
    job = session.execute(select(ExportJob).where(visible_jobs(principal), ExportJob.id == job_id)).scalar_one_or_none()
    if job is None:
        _audit(session, principal, "read_export", job_id, "denied", {}, ip)
        raise NotFound(NOT_FOUND)
    return job


@dataclass(frozen=True, slots=True)
class Download:
    path: Path
    file_name: str
    size: int
    sha256: str


def open_download(
    session: Session,
    *,
    principal: Principal,
    job_id: int,
    home: Path,
    ip: str | None = None,
    now: datetime | None = None,
) -> Download:
    """The file to hand over, after the checks; the download is audited in the caller's transaction,
    which must commit before the first byte leaves (SessionDep does)."""
    now = now or datetime.now(UTC)
    job = get_job(session, principal=principal, job_id=job_id, ip=ip)
    if job.status == "expired" or (job.status == "done" and job.expires_at is not None and job.expires_at <= now):
        raise ExportExpired("esta exportação expirou e o arquivo foi apagado; peça uma nova")
    if job.status != "done":
        raise ExportNotReady("a exportação ainda não terminou" if job.status in ("queued", "running") else
                             "a exportação falhou; não há arquivo")  # fmt: skip
    path = resolve_stored(home, job.result_path)
    _audit(session, principal, "export_download", job.id, "ok",
           {"kind": job.kind, "format": job.format, "sha256": job.sha256, "size": job.result_size}, ip)  # fmt: skip
    name = f"atalaia-{'titular' if job.kind == 'subject_access' else 'exportacao'}-{job.id}-{job.format}.zip"
    return Download(path=path, file_name=name, size=path.stat().st_size, sha256=job.sha256 or "")


def job_as_dict(job: ExportJob, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    downloadable = job.status == "done" and (job.expires_at is None or now < job.expires_at)
    return {
        "id": job.id,
        "kind": job.kind,
        "selection": job.selection,
        "format": job.format,
        "requested_by": job.requested_by,
        "status": job.status,
        "progress": {"done": job.progress_done, "total": job.progress_total},
        "sha256": job.sha256,
        "manifest_sha256": job.manifest_sha256,
        "checkpoint_seq": job.checkpoint_seq,
        "size": job.result_size,
        "error": job.error,
        "subject_request_id": job.subject_request_id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "download_url": f"/api/v1/exports/{job.id}/download" if downloadable else None,
    }


def percent(job: ExportJob) -> int | None:
    if not job.progress_total:
        return 100 if job.status == "done" else None
    return min(100, job.progress_done * 100 // job.progress_total)


def _audit(
    session: Session, principal: Principal, action: str, job_id: int, outcome: str, detail: dict[str, Any],
    ip: str | None,
) -> None:  # fmt: skip
    audit.record(
        session, tenant_id=principal.tenant_id, actor=principal.email, user_id=principal.user_id, action=action,
        object_type="export_job", object_id=job_id, outcome=outcome, detail={"role": principal.role.value, **detail},
        ip=ip,
    )  # fmt: skip
