"""Serving the app with uvicorn, with the background worker alongside in the same process."""

from __future__ import annotations

import logging
import threading

import uvicorn

from atalaia.jobs.worker import run_forever
from atalaia.runtime import Runtime
from atalaia.web.app import create_app


def serve(runtime: Runtime, *, host: str = "127.0.0.1", port: int = 8000, worker: bool = True) -> None:
    logging.basicConfig(
        level=runtime.settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    stop = threading.Event()
    thread = None
    if worker:
        # Embedded mode: media downloads and other jobs run beside the web server.
        thread = threading.Thread(target=run_forever, args=(runtime,), kwargs={"stop": stop}, daemon=True)
        thread.start()
    try:
        # uvicorn's access log is off: it prints query strings, and the Cloud API handshake carries
        # its verify token in one. atalaia.web.access logs method, path, status and time instead.
        # Proxy headers are trusted from 127.0.0.1 only (uvicorn's default, FORWARDED_ALLOW_IPS to
        # change): behind a local reverse proxy the audit log and the sign-in throttle then see the
        # visitor's address, not the proxy's.
        uvicorn.run(create_app(runtime), host=host, port=port, log_level=runtime.settings.log_level.lower(),
                    access_log=False, server_header=False, proxy_headers=True)  # fmt: skip
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=5)
