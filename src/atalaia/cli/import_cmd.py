"""`atalaia import FILE --line +55...`: archive a WhatsApp chat export into a line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from atalaia.cli.common import JsonOption, TenantOption, emit_json, fail, handle_errors, open_runtime, resolve_tenant
from atalaia.services.import_export import import_chat_export


@handle_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="The export: a .txt or the .zip with media.")],
    line: Annotated[str, typer.Option("--line", help="The line's number, e.g. +5521999990000.")],
    me: Annotated[
        str | None, typer.Option("--me", help="Author name of the line's owner (default: the assigned employee).")
    ] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of the phone (default: the line's).")] = None,
    locale: Annotated[str, typer.Option("--locale", help="auto | pt-BR | en-US | ...")] = "auto",
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Import an export; importing it again, or a later overlapping one, adds only new messages."""
    if not file.is_file():
        raise fail(f"arquivo não encontrado: {file}")
    # A .txt is read as it is on disk; a zip's chat text is larger than the zip, so no total.
    total = file.stat().st_size if file.suffix.lower() == ".txt" else None
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with Progress(
            TextColumn("importando"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            transient=True, disable=as_json,
        ) as progress:  # fmt: skip
            task = progress.add_task("import", total=total)
            result = import_chat_export(
                runtime, tenant=tenant_row, path=file, line_number=line, me=me, tz=tz, locale=locale,
                progress=lambda done: progress.update(task, completed=done),
            )  # fmt: skip
    payload = {
        "messages": result.messages,
        "new": result.new,
        "duplicates": result.duplicates,
        "attachments": result.attachments,
        "conversation_id": result.conversation_id,
    }
    if as_json:
        emit_json(payload)
        return
    typer.echo(
        f"{result.messages} mensagens lidas: {result.new} novas, {result.duplicates} já arquivadas, "
        f"{result.attachments} anexos (conversa {result.conversation_id})"
    )
    if result.owner is None:
        typer.echo(
            "aviso: sem --me nem colaborador na linha, todas as mensagens foram tratadas como recebidas", err=True
        )


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
