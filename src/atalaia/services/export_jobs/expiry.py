"""Expiry: an export's file is deleted when its time is up, and the row says so (audited).

Run by the worker's clock-driven checks (jobs/worker.py). The file goes first and the row is
marked after, so a crash in between leaves a `done` row without a file (downloads answer that it
is gone, and the next pass marks it) rather than an `expired` row whose file is still on disk.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select, update

from atalaia.db.engine import transaction
from atalaia.db.models import ExportJob
from atalaia.errors import NotFound
from atalaia.runtime import Runtime
from atalaia.services import audit
from atalaia.services.export_jobs.storage import resolve_stored

log = logging.getLogger(__name__)
BATCH: Final = 100
ACTOR: Final = "system"


def expire_exports(runtime: Runtime, *, now: datetime | None = None) -> int:
    """Delete every expired export file and mark its row `expired`; returns how many."""
    now = now or datetime.now(UTC)
    expired = 0
    while True:
        with runtime.sessions() as session:
            rows = session.execute(
                select(ExportJob.id, ExportJob.tenant_id, ExportJob.result_path, ExportJob.sha256)
                .where(ExportJob.status == "done", ExportJob.expires_at <= now)
                .order_by(ExportJob.id)
                .limit(BATCH)
            ).all()
        for row in rows:
            try:
                resolve_stored(runtime.settings.home, row.result_path).unlink()
            except NotFound:
                pass  # already gone (or the row names something outside the folder: never deleted)
            except OSError as exc:
                log.warning("export %s: cannot delete its file (%s); kept as done", row.id, exc.strerror)
                continue
            with transaction(runtime.sessions) as session:
                marked = session.execute(
                    update(ExportJob)
                    .where(ExportJob.id == row.id, ExportJob.status == "done")
                    .values(status="expired")
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
                if marked == 1:
                    audit.record(
                        session, tenant_id=row.tenant_id, actor=ACTOR, action="export_expired",
                        object_type="export_job", object_id=row.id, detail={"sha256": row.sha256},
                    )  # fmt: skip
                    expired += 1
        if len(rows) < BATCH:
            return expired
