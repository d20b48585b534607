"""`atalaia lines`: add, list, connect, test, reassign and retire the company's WhatsApp lines."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.services import audit
from atalaia.services.capture_gaps import list_gaps
from atalaia.services.line_checks import Actor, CheckOutcome, check_connection, create_instance
from atalaia.services.line_connections import ConnectionView, connect_cloud, connect_gateway, connection_view
from atalaia.services.lines import LineOverview, add_line, get_line, line_overview, reassign_line, retire_line

lines_app = typer.Typer(help="Corporate WhatsApp lines.", no_args_is_help=True)


@lines_app.command("add")
@handle_errors
def lines_add(
    number: Annotated[str, typer.Option("--number", help="The line's number, e.g. +5521999990000.")],
    provider: Annotated[str, typer.Option("--provider", help="cloud | evolution | waha | export")],
    phone_number_id: Annotated[str | None, typer.Option("--phone-number-id", help="Cloud API phone number id.")] = None,
    instance: Annotated[str | None, typer.Option("--instance", help="Gateway instance name.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Team the line belongs to.")] = None,
    employee: Annotated[str | None, typer.Option("--employee", help="E-mail of the assigned employee.")] = None,
    employee_name: Annotated[
        str | None, typer.Option("--employee-name", help="Their name as it appears in chat exports.")
    ] = None,
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone of the line.")] = "America/Sao_Paulo",
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Add a line; gateway lines get a token, shown once, for `Authorization: Bearer`."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            created = add_line(
                session,
                tenant_id=tenant_row.id,
                number=number,
                provider=provider,
                phone_number_id=phone_number_id,
                instance=instance,
                team=team,
                employee_email=employee,
                employee_name=employee_name,
                timezone=timezone,
                data_key=runtime.data_key(tenant_row),
            )
            audit.record(
                session,
                tenant_id=tenant_row.id,
                actor="cli",
                action="line_created",
                object_type="line",
                object_id=created.line.id,
                detail={"number": created.line.number, "provider": created.line.provider},
            )
    line = created.line
    payload: dict[str, object] = {
        "id": line.id,
        "number": line.number,
        "provider": line.provider,
        "status": line.status,
        "phone_number_id": line.phone_number_id,
        "instance": line.instance,
        "token": created.token,
    }
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"line {line.number} ({line.provider}) added, id {line.id}")
        if created.token:
            typer.echo(f"gateway token (shown once; send as Authorization: Bearer): {created.token}")


@lines_app.command("list")
@handle_errors
def lines_list(tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """Every line with its status, holder, last event, history backfill and media problems."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            rows = line_overview(session, tenant_id=tenant_row.id)
    if as_json:
        emit_json([_as_dict(row) for row in rows])
        return
    for row in rows:
        backfill = f" histórico {row.history_progress}%" if row.history_progress is not None else ""
        typer.echo(
            f"{row.number}  {row.provider:<9} {row.status:<12} {row.team or '-':<12} {row.employee or '-'}{backfill}"
        )


@lines_app.command("reassign")
@handle_errors
def lines_reassign(
    number: Annotated[str, typer.Option("--number", help="The line to hand over.")],
    employee: Annotated[str, typer.Option("--employee", help="E-mail of the employee who takes the line.")],
    employee_name: Annotated[str | None, typer.Option("--employee-name", help="Their name in chat exports.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Move the line to this team too.")] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Hand a line to another employee, keeping its whole history (and who held it when)."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            line, previous = reassign_line(
                session,
                tenant_id=tenant_row.id,
                number=number,
                employee_email=employee,
                employee_name=employee_name,
                team=team,
                now=datetime.now(UTC),
            )
            audit.record(
                session,
                tenant_id=tenant_row.id,
                actor="cli",
                action="line_reassigned",
                object_type="line",
                object_id=line.id,
                detail={"from": previous, "to": employee.strip().lower()},
            )
            payload = {"id": line.id, "number": line.number, "previous": previous, "employee": employee.strip().lower()}
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"line {payload['number']}: {previous or 'ninguém'} -> {payload['employee']}")


@lines_app.command("retire")
@handle_errors
def lines_retire(
    number: Annotated[str, typer.Option("--number", help="The line to retire.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Stop capturing on a line; everything it archived is kept. Its gateway token stops working."""
    if not reason.strip():
        raise typer.BadParameter("--reason must say why", param_hint="--reason")
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            line = retire_line(session, tenant_id=tenant_row.id, number=number, now=datetime.now(UTC))
            audit.record(
                session,
                tenant_id=tenant_row.id,
                actor="cli",
                action="line_retired",
                object_type="line",
                object_id=line.id,
                detail={"reason": reason.strip()[:500]},
            )
            payload = {"id": line.id, "number": line.number, "status": line.status}
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"line {payload['number']} retired; its archive is kept")


@lines_app.command("gaps")
@handle_errors
def lines_gaps(
    open_only: Annotated[bool, typer.Option("--open", help="Only gaps still open.")] = False,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Periods in which a line may have missed messages; import a chat export of them to fill them."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            gaps = list_gaps(session, tenant_id=tenant_row.id, open_only=open_only)
    rows = [
        {
            "line": g.line,
            "reason": g.reason,
            "from": g.started_at.isoformat(),
            "to": g.ended_at.isoformat() if g.ended_at else None,
            "expected_messages": g.expected_messages,
        }
        for g in gaps
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['line']}  {row['reason']:<12} {row['from']} -> {row['to'] or 'aberta'}"
            f"  (cubra com: atalaia import EXPORTACAO.zip --line {row['line']})"
        )


@lines_app.command("connect-cloud")
@handle_errors
def lines_connect_cloud(
    number: Annotated[str, typer.Option("--number", help="The Cloud API line.")],
    phone_number_id: Annotated[str, typer.Option("--phone-number-id", help="WhatsApp Manager → phone numbers.")],
    access_token_file: Annotated[
        Path | None, typer.Option("--access-token-file", help="File holding the system-user token (kept sealed).")
    ] = None,
    app_secret_file: Annotated[
        Path | None, typer.Option("--app-secret-file", help="File holding the app secret.")
    ] = None,
    verify_token_file: Annotated[
        Path | None, typer.Option("--verify-token-file", help="File holding the webhook verify token.")
    ] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Store a Cloud API line's credentials, sealed; secrets are read from files, never from the command line."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            line = get_line(session, tenant_id=tenant_row.id, number=number)
            connect_cloud(
                session,
                line=line,
                phone_number_id=phone_number_id,
                access_token=_secret_file(access_token_file),
                app_secret=_secret_file(app_secret_file),
                verify_token=_secret_file(verify_token_file),
                data_key=runtime.data_key(tenant_row),
                now=datetime.now(UTC),
            )
            audit.record(
                session,
                tenant_id=tenant_row.id,
                actor="cli",
                action="line_connected",
                object_type="line",
                object_id=line.id,
                detail={"provider": "cloud"},
            )
            view = connection_view(session, line, public_url=runtime.settings.public_url)
    _emit_connection(view, as_json=as_json)


@lines_app.command("connect-gateway")
@handle_errors
def lines_connect_gateway(
    number: Annotated[str, typer.Option("--number", help="The Evolution API or WAHA line.")],
    base_url: Annotated[str, typer.Option("--url", help="The gateway's API base URL (an allowed origin).")],
    api_key_file: Annotated[Path | None, typer.Option("--api-key-file", help="File holding the API key.")] = None,
    instance: Annotated[str, typer.Option("--instance", help="Instance (session) name.")] = "",
    create: Annotated[bool, typer.Option("--create/--no-create", help="Create the instance now.")] = True,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Store a gateway line's address and key and create its instance with Atalaia's webhook."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            line = get_line(session, tenant_id=tenant_row.id, number=number)
            connect_gateway(
                session,
                line=line,
                base_url=base_url,
                api_key=_secret_file(api_key_file),
                instance=instance,
                allowed_origins=runtime.settings.gateway_api_origins,
                data_key=runtime.data_key(tenant_row),
                now=datetime.now(UTC),
            )
            audit.record(
                session,
                tenant_id=tenant_row.id,
                actor="cli",
                action="line_connected",
                object_type="line",
                object_id=line.id,
                detail={"provider": line.provider, "instance": line.instance},
            )
            line_id = line.id
        outcome = create_instance(runtime, actor=Actor(tenant_row.id, "cli"), line_id=line_id) if create else None
        with runtime.sessions() as session:
            line = get_line(session, tenant_id=tenant_row.id, number=number)
            view = connection_view(session, line, public_url=runtime.settings.public_url)
    _emit_connection(view, as_json=as_json, outcome=outcome)
    if outcome is not None and not outcome.ok:
        raise typer.Exit(1)


@lines_app.command("test")
@handle_errors
def lines_test(
    number: Annotated[str, typer.Option("--number", help="The line to test.")],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Check a line's credentials against its provider (Graph API, or the gateway's instance state)."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            line_id = get_line(session, tenant_id=tenant_row.id, number=number).id
        outcome = check_connection(runtime, actor=Actor(tenant_row.id, "cli"), line_id=line_id)
    if as_json:
        emit_json({"ok": outcome.ok, "message": outcome.message})
    else:
        typer.echo(("ok: " if outcome.ok else "falhou: ") + outcome.message)
    if not outcome.ok:
        raise typer.Exit(1)


def _secret_file(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}") from None


def _emit_connection(view: ConnectionView | None, *, as_json: bool, outcome: CheckOutcome | None = None) -> None:
    payload: dict[str, object] = {
        "kind": view.kind if view else None,
        "base_url": view.base_url if view else None,
        "instance": view.instance if view else None,
        "hints": view.hints if view else {},
        "webhook_url": view.webhook_url if view else None,
        "ok": outcome.ok if outcome else None,
        "message": outcome.message if outcome else None,
    }
    if as_json:
        emit_json(payload)
        return
    typer.echo(f"conexão salva; webhook: {payload['webhook_url']}")
    for name, hint in (view.hints if view else {}).items():
        typer.echo(f"  {name}: {hint}")
    if outcome is not None:
        typer.echo(("ok: " if outcome.ok else "falhou: ") + outcome.message)


def _as_dict(row: LineOverview) -> dict[str, object]:
    values = asdict(row)
    for name in ("last_event_at", "gap_since"):
        moment = getattr(row, name)
        values[name] = moment.isoformat() if moment else None
    return values


def register(app: typer.Typer) -> None:
    app.add_typer(lines_app, name="lines")
