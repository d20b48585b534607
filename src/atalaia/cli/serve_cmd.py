"""`atalaia serve`: console, API and webhooks on ATALAIA_HOME's database (migrated first)."""

from __future__ import annotations

from typing import Annotated

import typer

from atalaia.cli.common import handle_errors, open_runtime, resolve_tenant


@handle_errors
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="Do not run background jobs in this process.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes on the port (one per core).")
    ] = 1,
) -> None:
    """Run the web server (and, unless --no-worker, the background worker)."""
    from atalaia.web.server import serve

    with open_runtime() as runtime:
        resolve_tenant(runtime, "default")
        typer.echo(f"Atalaia em http://{host}:{port}", err=True)
        serve(runtime, host=host, port=port, worker=not no_worker, workers=workers)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
