"""`atalaia analytics rebuild`: recompute the analytics rollups from the archived messages."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from atalaia.analytics.rebuild import line_ids, parse_since, rebuild_rollups
from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant

analytics_app = typer.Typer(help="Analytics upkeep: the rollups behind dashboards and reports.", no_args_is_help=True)


@analytics_app.command("rebuild")
@handle_errors
def rebuild_command(
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only hours from this day (AAAA-MM-DD, tenant's zone) or ISO date-time on."),
    ] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Recompute the message counts per line and hour (after a bulk load, or to repair them)."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        moment = parse_since(since, tenant_row.timezone)
        if as_json or not sys.stdout.isatty():
            summary = rebuild_rollups(runtime, tenant=tenant_row, since=moment)
        else:
            with Progress(TextColumn("[bold]recalculando"), BarColumn(), MofNCompleteColumn(), transient=True) as bar:
                task = bar.add_task("rollups", total=len(line_ids(runtime, tenant_row)))
                summary = rebuild_rollups(
                    runtime, tenant=tenant_row, since=moment, progress=lambda n: bar.advance(task, n)
                )
    if as_json:
        emit_json(summary.as_dict())
        return
    start = f" desde {summary.since.isoformat()}" if summary.since else ""
    typer.echo(f"agregados recalculados{start}: {summary.lines} linha(s), {summary.messages} mensagens contadas")


def register(app: typer.Typer) -> None:
    app.add_typer(analytics_app, name="analytics")
