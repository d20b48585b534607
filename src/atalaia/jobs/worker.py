"""The worker loop: claim a job, run its handler, record the outcome. Many may run at once."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Final

from atalaia.db.engine import transaction
from atalaia.jobs import extraction, media
from atalaia.jobs.queue import ClaimedJob, JobFailed, claim_next, finish, retry_or_fail
from atalaia.runtime import Runtime
from atalaia.services import attachment_text, notices
from atalaia.services.compliance import notifications

log = logging.getLogger(__name__)
Handler = Callable[[Runtime, ClaimedJob], None]
HANDLERS: Final[dict[str, Handler]] = {
    media.KIND: media.download_media,
    notifications.KIND: notifications.notify_alert,
    extraction.KIND: attachment_text.extract_attachment,
    notices.KIND: notices.send_notice,
}
IDLE_SECONDS: Final = 2.0


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
    while not stop.is_set():
        try:
            busy = run_once(runtime, worker=worker)
        except Exception:
            log.exception("worker loop error")
            busy = False
        if not busy:
            stop.wait(IDLE_SECONDS)
