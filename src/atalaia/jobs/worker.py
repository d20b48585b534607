"""The worker loop: claim a job, run its handler, record the outcome. Many may run at once."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from atalaia.db.engine import transaction
from atalaia.jobs import extraction, media
from atalaia.jobs.queue import ClaimedJob, JobFailed, claim_next, finish, retry_or_fail
from atalaia.reports import weekly as weekly_reports
from atalaia.runtime import Runtime
from atalaia.services import attachment_text, export_jobs, notices
from atalaia.services.capture_gaps import detect_gaps
from atalaia.services.compliance import notifications
from atalaia.services.governance import blob_cleanup
from atalaia.services.onboarding import reminders as onboarding_reminders

log = logging.getLogger(__name__)
Handler = Callable[[Runtime, ClaimedJob], None]
HANDLERS: Final[dict[str, Handler]] = {
    media.KIND: media.download_media,
    notifications.KIND: notifications.notify_alert,
    extraction.KIND: attachment_text.extract_attachment,
    notices.KIND: notices.send_notice,
    blob_cleanup.KIND: blob_cleanup.delete_blob_job,
    export_jobs.KIND: export_jobs.run_export_job,
}
IDLE_SECONDS: Final = 2.0
CHECK_SECONDS: Final = 300.0  # how often the clock-driven checks run


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_once(runtime: Runtime, *, worker: str | None = None) -> bool:
    """Run one job if one is ready; returns whether anything ran."""
    with transaction(runtime.sessions) as session:
        job = claim_next(session, worker=worker or worker_name(), kinds=tuple(HANDLERS))
    if job is None:
        return False
    try:
        HANDLERS[job.kind](runtime, job)
    except JobFailed as exc:
        with transaction(runtime.sessions) as session:
            status = retry_or_fail(session, job, exc)
        log.warning("job %s (%s) attempt %s: %s -> %s", job.id, job.kind, job.attempts, exc, status)
    except Exception as exc:  # a bug must not kill the loop; the job is retried
        log.exception("job %s (%s) crashed", job.id, job.kind)
        with transaction(runtime.sessions) as session:
            retry_or_fail(session, job, JobFailed(f"{type(exc).__name__}: {exc}"))
    else:
        with transaction(runtime.sessions) as session:
            finish(session, job.id)
    return True


def run_forever(runtime: Runtime, *, stop: threading.Event) -> None:
    worker = worker_name()
    next_check = 0.0
    while not stop.is_set():
        if time.monotonic() >= next_check:
            next_check = time.monotonic() + CHECK_SECONDS
            run_periodic_checks(runtime)
        try:
            busy = run_once(runtime, worker=worker)
        except Exception:
            log.exception("worker loop error")
            busy = False
        if not busy:
            stop.wait(IDLE_SECONDS)


def run_periodic_checks(runtime: Runtime) -> None:
    """Work that is due by the clock, not by a job: capture gaps (services/capture_gaps.py), onboarding reminders."""
    try:
        with transaction(runtime.sessions) as session:
            found = detect_gaps(session, now=datetime.now(UTC))
        if found.opened:
            log.warning("capture gap opened on line(s) %s", found.opened)
    except Exception:  # a failed check must not stop the jobs
        log.exception("periodic checks failed")
    try:  # onboarding reminders (services/onboarding/reminders.py): each its own transaction
        reminded = onboarding_reminders.send_due_reminders(runtime, now=datetime.now(UTC))
        if reminded:
            log.info("sent %s onboarding reminder(s)", len(reminded))
    except Exception:
        log.exception("onboarding reminders failed")
    try:  # exports past their expiry: file deleted, row marked (services/export_jobs/expiry.py)
        export_jobs.expire_exports(runtime)
    except Exception:
        log.exception("export expiry failed")
    try:  # managers' weekly e-mails, from Monday 08:00 local, once per week (reports/weekly.py)
        weekly = weekly_reports.send_weekly_reports(runtime, now=datetime.now(UTC))
        if weekly:
            log.info("sent %s weekly report(s)", len(weekly))
    except Exception:
        log.exception("weekly reports failed")
