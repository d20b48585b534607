"""`atalaia subject`: the LGPD rights of one data subject (a customer or supplier, known by phone number)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.services.subject_export import SubjectExportRequest, export_subject

subject_app = typer.Typer(help="LGPD requests of one data subject (a contact), by phone number.", no_args_is_help=True)


class _Bar:
    """Adapts a rich progress bar to the export's progress hooks."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = progress.add_task("export", total=None)

    def start(self, total: int) -> None:
        self._progress.update(self._task, total=total)

    def advance(self, done: int) -> None:
        self._progress.advance(self._task, done)


@subject_app.command("export")
@handle_errors
def subject_export(
    phone: Annotated[str, typer.Option("--phone", help="The subject's number (+5521988887777) or WhatsApp id.")],
    out: Annotated[Path, typer.Option("--out", help="ZIP file to create (must not exist).", dir_okay=False)],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Everything held about one person (LGPD access and portability) as a ZIP with a SHA-256 manifest; audited."""
    request = SubjectExportRequest(phone=phone, out=out)
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with Progress(
            TextColumn("exportando"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            transient=True, disable=as_json,
        ) as progress:  # fmt: skip
            result = export_subject(runtime, tenant=tenant_row, request=request, progress=_Bar(progress))
    if as_json:
        emit_json(result.as_dict())
        return
    counts = result.counts
    missing = (
        f" ({counts['missing_attachments']} ausente(s), listados no manifesto)" if counts["missing_attachments"] else ""
    )
    typer.echo(
        f"{counts['messages']} mensagem(ns) de {counts['conversations']} conversa(s), {counts['attachments']} anexo(s)"
        f"{missing}, {counts['notices']} aviso(s) e {counts['alerts']} alerta(s) exportados em {result.path}"
    )
    typer.echo(f"SHA-256 do ZIP: {result.sha256}")


def register(app: typer.Typer) -> None:
    app.add_typer(subject_app, name="subject")
