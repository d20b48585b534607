"""`atalaia policies`: import a policy file as the active version, list versions, run them over the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from atalaia.cli.common import JsonOption, TenantOption, emit_json, fail, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.services.compliance import backfill, import_policies, list_versions, messages_after

policies_app = typer.Typer(help="Compliance policies: import, list, run back over the archive.", no_args_is_help=True)


@policies_app.command("import")
@handle_errors
def import_command(
    path: Annotated[Path, typer.Argument(help="Policy file (YAML).", show_default=False)],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Validate a policy file and make it the active version (stored once per distinct text)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{path}: cannot read: {exc}") from None
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            result = import_policies(session, tenant_id=tenant_row.id, yaml_text=text, actor="cli", source=str(path))
    payload = {
        "version": result.version,
        "sha256": result.sha256,
        "changed": result.changed,
        "reactivated": result.reactivated,
        "policies": list(result.policies),
        "rules": result.rules,
    }
    if as_json:
        emit_json(payload)
        return
    if not result.changed:
        typer.echo(f"sem mudanças: a versão {result.version} já é a ativa")
    else:
        verb = "reativada" if result.reactivated else "importada"
        typer.echo(f"versão {result.version} {verb} e ativa: {len(result.policies)} políticas, {result.rules} regras")
        typer.echo("para aplicá-la às mensagens já arquivadas: atalaia policies backfill")


@policies_app.command("list")
@handle_errors
def list_command(tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """The tenant's policy versions, oldest first; the active one is marked."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            versions = list_versions(session, tenant_id=tenant_row.id)
    rows: list[dict[str, Any]] = [
        {
            "version": v.version,
            "sha256": v.sha256,
            "active": v.active,
            "created_by": v.created_by,
            "created_at": v.created_at.isoformat(),
            "policies": list(v.policies),
        }
        for v in versions
    ]
    if as_json:
        emit_json({"versions": rows})
        return
    if not rows:
        typer.echo("nenhuma política importada (atalaia policies import FILE.yml)")
    for row in rows:
        mark = "*" if row["active"] else " "
        typer.echo(
            f"{mark} v{row['version']:<4} {row['created_at'][:19]}  {row['created_by']:<20} "
            f"{row['sha256'][:12]}  {', '.join(row['policies'])}"
        )


@policies_app.command("backfill")
@handle_errors
def backfill_command(
    after: Annotated[int, typer.Option("--after", min=0, help="Resume after this message id.")] = 0,
    batch: Annotated[int, typer.Option("--batch", min=1, max=10_000, help="Messages per transaction.")] = 1000,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Run the active policies over the stored messages (idempotent; alerts from it are not e-mailed)."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        total = messages_after(runtime.sessions, tenant_id=tenant_row.id, after_id=after)
        with Progress(
            TextColumn("[bold]aplicando políticas"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
            disable=as_json,
        ) as progress:
            task = progress.add_task("backfill", total=total)
            result = backfill(
                runtime.sessions,
                tenant_id=tenant_row.id,
                after_id=after,
                batch=batch,
                progress=lambda n: progress.advance(task, n),
            )
    payload = {
        "version": result.version,
        "messages": result.messages,
        "hits": result.hits,
        "new_alerts": result.new_alerts,
        "updated_alerts": result.updated_alerts,
        "last_message_id": result.last_message_id,
        "pending_hits": result.pending_hits,
    }
    if as_json:
        emit_json(payload)
        return
    typer.echo(
        f"versão {result.version}: {result.messages} mensagens, {result.hits} novas ocorrências, "
        f"{result.new_alerts} alertas novos, {result.updated_alerts} alertas atualizados"
        + (f", {result.pending_hits} abaixo do limiar (sem alerta)" if result.pending_hits else "")
    )


def register(app: typer.Typer) -> None:
    app.add_typer(policies_app, name="policies")
