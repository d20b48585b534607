"""`atalaia retention`: how long records are kept, and the purge of what has expired."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.services.governance import list_rules, parse_keep, remove_rule, run_retention, set_rule
from atalaia.services.governance.retention_rules import KINDS

retention_app = typer.Typer(help="Retention rules and the purge of expired records.", no_args_is_help=True)


@retention_app.command("set")
@handle_errors
def retention_set(
    keep: Annotated[str, typer.Option("--keep", help="How long: 90d, 6w, 24m, 5y (or days).")],
    kind: Annotated[str, typer.Option("--kind", help=" | ".join(KINDS))] = "all",
    line: Annotated[str | None, typer.Option("--line", help="Only this line (+5521... or id).")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team's lines.")] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Set the rule for a scope and kind (the tenant's when no --line or --team); audited."""
    days = parse_keep(keep)
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            rule = set_rule(
                session, tenant_id=tenant_row.id, keep_days=days, kind=kind, line=line, team=team, actor="cli"
            )
            rule_id = rule.id
            payload = next(r for r in list_rules(session, tenant_id=tenant_row.id) if r["id"] == rule_id)
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"regra nº {rule_id}: {payload['kind']} por {days} dias ({_scope(payload)})")


@retention_app.command("list")
@handle_errors
def retention_list(tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """The tenant's retention rules."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            rules = list_rules(session, tenant_id=tenant_row.id)
    if as_json:
        emit_json({"rules": rules})
        return
    if not rules:
        typer.echo("nenhuma regra: tudo é guardado sem prazo")
    for rule in rules:
        typer.echo(f"{rule['id']:>5}  {rule['kind']:<12} {rule['keep_days']:>6} dias  {_scope(rule)}")


def _scope(rule: dict[str, object]) -> str:
    if rule["line"]:
        return f"linha {rule['line']}"
    if rule["team"]:
        return f"equipe {rule['team']}"
    return "todo o tenant"


@retention_app.command("remove")
@handle_errors
def retention_remove(
    rule_id: Annotated[int, typer.Argument(help="The rule's number.")],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Delete a rule; what it covered falls to the next broader rule. Audited."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            remove_rule(session, tenant_id=tenant_row.id, rule_id=rule_id, actor="cli")
    if as_json:
        emit_json({"removed": rule_id})
    else:
        typer.echo(f"regra nº {rule_id} removida")


@retention_app.command("run")
@handle_errors
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go; change nothing.")] = False,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Purge what the rules say has expired, never what a legal hold keeps; resumable and audited."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        columns = (SpinnerColumn(), TextColumn("expurgando: {task.completed:.0f} verificados"))
        with Progress(*columns, transient=True, disable=as_json) as bar:
            task = bar.add_task("retention", total=None)
            report = run_retention(runtime, tenant=tenant_row, dry_run=dry_run, progress=lambda n: bar.advance(task, n))
    if as_json:
        emit_json(report.as_dict())
        return
    verb = "seriam expurgadas" if dry_run else "expurgadas"
    typer.echo(
        f"{report.purged} mensagem(ns) e {report.attachments} anexo(s) {verb}; "
        f"{report.held} mensagem(ns) e {report.held_attachments} anexo(s) mantidos por retenção legal"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
