"""`atalaia export`: an eDiscovery export of a conversation, a line, a case or a search, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.exports import ExportRequest, SelectionSpec, export_archive

CLI_ACTOR = "cli"


class _Bar:
    """Adapts a rich progress bar to the export's progress hooks."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = progress.add_task("export", total=None)

    def start(self, total: int) -> None:
        self._progress.update(self._task, total=total)

    def advance(self, done: int) -> None:
        self._progress.advance(self._task, done)


@handle_errors
def export_command(
    export_format: Annotated[str, typer.Option("--format", help="rsmf | jsonl | csv | pdf")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder to create (new or empty) with the export and manifest.json.")
    ],
    conversation: Annotated[int | None, typer.Option("--conversation", help="Conversation id.")] = None,
    line: Annotated[
        str | None, typer.Option("--line", help="Line number (+5521...) or id: all its conversations.")
    ] = None,
    case: Annotated[int | None, typer.Option("--case", help="Case (alert) id: its conversation.")] = None,
    query: Annotated[str | None, typer.Option("--query", help="Search query: the messages it finds.")] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Export for eDiscovery, with a manifest of SHA-256 hashes cut from a fresh signed checkpoint; audited."""
    spec = SelectionSpec(conversation=conversation, line=line, case=case, query=query)
    spec.kind()  # exactly one selection, before anything is opened
    request = ExportRequest(selection=spec, format=export_format, out=out, actor=CLI_ACTOR)
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with Progress(
            TextColumn("exportando"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            transient=True, disable=as_json,
        ) as progress:  # fmt: skip
            result = export_archive(runtime, tenant=tenant_row, request=request, progress=_Bar(progress))
    if as_json:
        emit_json(result.as_dict())
        return
    missing = f" ({result.missing_attachments} ausente(s), listados no manifesto)" if result.missing_attachments else ""
    typer.echo(
        f"{result.events} mensagem(ns) de {result.conversations} conversa(s) e {result.attachments} anexo(s)"
        f"{missing} exportados em {result.path}"
    )
    typer.echo(f"manifest.json SHA-256: {result.manifest_sha256}")
    typer.echo(f"checkpoint assinado nº {result.checkpoint.seq} ({result.checkpoint.head_hash})")


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
