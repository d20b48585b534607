"""`atalaia alerts`: the alert queue, one alert, resolving it, precision per rule, the webhook channel.

The command line acts as `cli` with an administrator's reach; employees appear pseudonymised
here as in the console (revealing one is a compliance officer's act, in the console).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.services.compliance import (
    Actor,
    Pseudonyms,
    add_webhook,
    alert_detail,
    list_alerts,
    resolve,
    rule_precision,
)

alerts_app = typer.Typer(help="Compliance alerts and their cases.", no_args_is_help=True)
IdArgument = Annotated[int, typer.Argument(help="Alert id.", show_default=False)]


@alerts_app.command("list")
@handle_errors
def list_command(
    status: Annotated[str | None, typer.Option("--status", help="open | in_review | resolved")] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="Only this policy id.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most this many.")] = 100,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """The alert queue, most recent hit first."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        pseudonyms = Pseudonyms(runtime.data_key(tenant_row))
        with transaction(runtime.sessions) as session:
            total, alerts = list_alerts(
                session,
                tenant_id=tenant_row.id,
                actor=Actor.cli(),
                pseudonyms=pseudonyms,
                status=status,
                policy=policy,
                limit=limit,
            )
    if as_json:
        emit_json({"total": total, "alerts": [a.as_json() for a in alerts]})
        return
    for a in alerts:
        status = f"{a.status} ({a.resolution})" if a.resolution else a.status
        typer.echo(
            f"#{a.id:<6} {a.severity:<8} {status:<26} {a.policy + '/' + a.rule:<44} {a.hits:>4} ocorrência(s)  "
            f"{a.last_hit_at:%Y-%m-%d %H:%M}  {a.line}  {a.employee}"
        )
    typer.echo(f"{len(alerts)} de {total} alerta(s)")


@alerts_app.command("show")
@handle_errors
def show_command(alert_id: IdArgument, tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """One alert with its hits (redacted) and its case history."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        pseudonyms = Pseudonyms(runtime.data_key(tenant_row))
        with transaction(runtime.sessions) as session:
            detail = alert_detail(
                session, tenant_id=tenant_row.id, alert_id=alert_id, actor=Actor.cli(), pseudonyms=pseudonyms
            )
    data = detail.as_json()
    if as_json:
        emit_json(data)
        return
    typer.echo(f"#{data['id']} {data['title']} ({data['policy']}) — {data['severity']}, {data['status']}")
    typer.echo(
        f"linha {data['line']}, {data['employee']}, conversa {data['conversation_id']}, {data['hits']} ocorrências"
    )
    for hit in data["hit_list"]:
        typer.echo(f"  {hit['at'][:19]}  msg {hit['message_id']}  {hit['rule']}  {hit['detector']}  {hit['match']}")
    for event in data["history"]:
        typer.echo(f"  {event['at'][:19]}  {event['actor']}  {event['kind']}  {event['detail']}")


@alerts_app.command("resolve")
@handle_errors
def resolve_command(
    alert_id: IdArgument,
    resolution: Annotated[str, typer.Option("--as", help="confirmed | false_positive", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the case history.", show_default=False)],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Close a case as a confirmed breach or a false positive."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        pseudonyms = Pseudonyms(runtime.data_key(tenant_row))
        with transaction(runtime.sessions) as session:
            resolve(
                session,
                tenant_id=tenant_row.id,
                alert_id=alert_id,
                actor=Actor.cli(),
                resolution=resolution,
                reason=reason,
            )
        with transaction(runtime.sessions) as session:
            detail = alert_detail(
                session, tenant_id=tenant_row.id, alert_id=alert_id, actor=Actor.cli(), pseudonyms=pseudonyms
            )
    data: dict[str, Any] = detail.alert.as_json()
    if as_json:
        emit_json(data)
        return
    typer.echo(f"alerta #{alert_id} resolvido: {data['resolution']}")


@alerts_app.command("precision")
@handle_errors
def precision_command(tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """Per rule: confirmed / (confirmed + false positive), from resolved alerts."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            rows = rule_precision(session, tenant_id=tenant_row.id, actor=Actor.cli())
    if as_json:
        emit_json({"rules": [r.as_json() for r in rows]})
        return
    for r in rows:
        shown = "—" if r.precision is None else f"{r.precision:.0%}"
        typer.echo(
            f"{r.policy + '/' + r.rule:<44} precisão {shown:>5}  confirmados {r.confirmed}  falsos positivos "
            f"{r.false_positive}  em aberto {r.unresolved}"
        )


@alerts_app.command("webhook")
@handle_errors
def webhook_command(
    url: Annotated[str, typer.Option("--url", help="https://... that receives every new alert.", show_default=False)],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Send alerts to a URL, signed (X-Atalaia-Signature); prints the signing secret once (again: a new one)."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            created = add_webhook(
                session, tenant_id=tenant_row.id, url=url, data_key=runtime.data_key(tenant_row), actor="cli"
            )
    if as_json:
        emit_json({"id": created.id, "url": created.url, "secret": created.secret})
        return
    typer.echo(f"webhook {created.url} ativo; segredo de assinatura (mostrado uma vez): {created.secret}")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
