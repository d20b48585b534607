"""`atalaia worker`: run background jobs until interrupted (several may run against PostgreSQL)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from atalaia.cli.common import handle_errors, open_runtime
from atalaia.jobs.worker import run_forever, run_once


@handle_errors
def worker_command(
    once: Annotated[bool, typer.Option("--once", help="Run the jobs that are ready now, then exit.")] = False,
) -> None:
    """Download media, and run the other background jobs, from the durable job table."""
    with open_runtime() as runtime:
        if once:
            ran = 0
            while run_once(runtime):
                ran += 1
            typer.echo(f"{ran} job(s) run")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        typer.echo("worker running; Ctrl+C to stop", err=True)
        try:
            run_forever(runtime, stop=stop)
        except KeyboardInterrupt:
            stop.set()


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
