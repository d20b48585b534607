"""Serving the app with uvicorn, with the background worker alongside in the same process.

`workers > 1` runs that many server processes on the same port (uvicorn's supervisor), each
building its own runtime from the same ATALAIA_* environment and running its own job worker:
Python runs one thread at a time per process, so this is how a second core takes webhooks.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from typing import Final

import uvicorn
from fastapi import FastAPI

from atalaia.jobs.worker import run_forever
from atalaia.runtime import Runtime
from atalaia.settings import Settings
from atalaia.web.app import create_app

WORKER_ENV: Final = "ATALAIA_SERVE_JOB_WORKER"  # tells each server process whether to run jobs


def serve(
    runtime: Runtime, *, host: str = "127.0.0.1", port: int = 8000, worker: bool = True, workers: int = 1
) -> None:
    logging.basicConfig(
        level=runtime.settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if workers > 1:
        os.environ[WORKER_ENV] = "1" if worker else "0"
        uvicorn.run("atalaia.web.server:app_from_environment", factory=True, workers=workers, host=host, port=port,
                    log_level=runtime.settings.log_level.lower(), access_log=False, server_header=False,
                    proxy_headers=True)  # fmt: skip
        return
    stop = threading.Event()
    thread = _start_job_worker(runtime, stop) if worker else None
    try:
        # uvicorn's access log is off: it prints query strings, and the Cloud API handshake carries
        # its verify token in one. atalaia.web.access logs method, path, status and time instead.
        # Proxy headers are trusted from 127.0.0.1 only (uvicorn's default, FORWARDED_ALLOW_IPS to
        # change): behind a local reverse proxy the audit log and the sign-in throttle then see the
        # visitor's address, not the proxy's.
        app = create_app(runtime)
        settle_heap()
        uvicorn.run(app, host=host, port=port, log_level=runtime.settings.log_level.lower(),
                    access_log=False, server_header=False, proxy_headers=True)  # fmt: skip
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=5)


def app_from_environment() -> FastAPI:
    """The app of one of several server processes (`serve --workers N`), from ATALAIA_* settings."""
    runtime = Runtime.from_settings(Settings(), migrate=False)  # the parent migrated before forking
    if os.environ.get(WORKER_ENV) == "1":
        _start_job_worker(runtime, threading.Event())  # a daemon thread, gone with the process
    app = create_app(runtime)
    settle_heap()
    return app


def settle_heap() -> None:
    """Move what start-up built (modules, the app, mappers, compiled templates) out of the cyclic
    collector's sight: its full passes then walk only what requests create. Measured on the
    Cloud API archive path: ~12% less CPU per message (bench/README.md)."""
    gc.collect()
    gc.freeze()


def _start_job_worker(runtime: Runtime, stop: threading.Event) -> threading.Thread:
    # Embedded mode: media downloads and other jobs run beside the web server.
    thread = threading.Thread(target=run_forever, args=(runtime,), kwargs={"stop": stop}, daemon=True)
    thread.start()
    return thread
