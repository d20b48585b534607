"""`atalaia journal replay`: run stored webhook bodies through the connectors again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import Progress

from atalaia.cli.common import JsonOption, emit_json, fail, handle_errors, open_runtime
from atalaia.services.journal_replay import replay_journal

journal_app = typer.Typer(help="The raw webhook journal.", no_args_is_help=True)


@journal_app.command("replay")
@handle_errors
def replay(
    since: Annotated[
        str | None, typer.Option("--since", help="Only entries received from this ISO date/time (UTC).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-archive journal entries (rejected and redacted ones never); idempotent, so running it twice adds nothing."""
    try:
        start = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
    except ValueError:
        raise fail(f"--since must be an ISO date such as 2024-03-01, not {since!r}") from None
    with open_runtime() as runtime, Progress(transient=True, disable=as_json) as progress:
        task = progress.add_task("replay", total=None)
        report = replay_journal(
            runtime,
            since=start,
            start=lambda total: progress.update(task, total=total),
            step=lambda done: progress.advance(task, done),
        )
    if as_json:
        emit_json(report.as_dict())
        return
    typer.echo(", ".join(f"{k}: {v}" for k, v in report.as_dict().items()))
    for reason, count in sorted(report.redacted_reasons.items()):
        typer.echo(f"{count} entrada(s) não reprocessada(s), corpo apagado: {reason}")


def register(app: typer.Typer) -> None:
    app.add_typer(journal_app, name="journal")
