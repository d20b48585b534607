"""`atalaia journal replay`: run stored webhook bodies through the connectors again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy import select

from atalaia.cli.common import JsonOption, emit_json, fail, handle_errors, open_runtime
from atalaia.db.models import JournalEntry
from atalaia.domain.enums import JournalStatus
from atalaia.services.gateway_ingest import process_gateway_entry
from atalaia.services.ingest import process_cloud_entry

journal_app = typer.Typer(help="The raw webhook journal.", no_args_is_help=True)


@journal_app.command("replay")
@handle_errors
def replay(
    since: Annotated[
        str | None, typer.Option("--since", help="Only entries received from this ISO date/time (UTC).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-archive journal entries (rejected ones never); idempotent, so running it twice adds nothing."""
    try:
        start = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
    except ValueError:
        raise fail(f"--since must be an ISO date such as 2024-03-01, not {since!r}") from None
    totals = {"entries": 0, "new": 0, "duplicates": 0, "failed": 0}
    with open_runtime() as runtime:
        query = select(JournalEntry.id).where(JournalEntry.status != JournalStatus.REJECTED.value)
        if start is not None:
            query = query.where(JournalEntry.received_at >= start)
        with runtime.sessions() as session:
            ids = list(session.execute(query.order_by(JournalEntry.id)).scalars())
        with Progress(transient=True, disable=as_json) as progress:
            task = progress.add_task("replay", total=len(ids))
            for entry_id in ids:
                with runtime.sessions() as session:
                    entry = session.get(JournalEntry, entry_id)
                    source, body, line_id = (entry.source, entry.body, entry.line_id) if entry else ("", b"", None)
                if source == "cloud":
                    outcome = process_cloud_entry(runtime, entry_id=entry_id, body=body)
                elif source in ("evolution", "waha"):
                    outcome = process_gateway_entry(
                        runtime, entry_id=entry_id, body=body, source=source, line_id=line_id
                    )
                else:
                    outcome = None
                if outcome is not None:
                    totals["new"] += outcome.result.new
                    totals["duplicates"] += outcome.result.duplicates
                    totals["failed"] += outcome.status_code != 200
                totals["entries"] += 1
                progress.advance(task)
    if as_json:
        emit_json(totals)
    else:
        typer.echo(", ".join(f"{k}: {v}" for k, v in totals.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(journal_app, name="journal")
