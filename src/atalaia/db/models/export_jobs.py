"""Export jobs: an eDiscovery or data-subject export asked for in the console or the API, run by the worker.

The row is the request's whole life: what was asked and by whom, its progress, the file it
produced (under ATALAIA_HOME/exports, with its SHA-256 and the manifest's), and when that file
expires. The `jobs` row that runs it carries only this row's id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from atalaia.db.models.base import Base
from atalaia.db.types import BigId, UTCDateTime


class ExportJob(Base):
    __tablename__ = "export_jobs"
    __table_args__ = (
        Index("ix_export_jobs_requester", "tenant_id", "requested_by_user_id", "id"),
        Index("ix_export_jobs_expiry", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # ediscovery | subject_access
    selection: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"case": 7} | {"line": "+55..."} | {"phone": ...}
    format: Mapped[str] = mapped_column(String(10))  # rsmf | jsonl | csv | pdf | zip (subject access)
    requested_by: Mapped[str] = mapped_column(String(320))  # the requester's e-mail, as the audit log names them
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject_request_id: Mapped[int | None] = mapped_column(ForeignKey("subject_requests.id"))
    status: Mapped[str] = mapped_column(String(10))  # queued | running | done | failed | expired
    progress_done: Mapped[int] = mapped_column(Integer, default=0)  # messages written so far
    progress_total: Mapped[int | None] = mapped_column(Integer)  # messages the selection holds
    result_path: Mapped[str | None] = mapped_column(String(1000))  # relative to ATALAIA_HOME/exports
    result_size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the file handed over
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    checkpoint_seq: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set when done
