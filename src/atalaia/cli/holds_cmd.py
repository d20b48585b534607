"""`atalaia holds`: legal holds that keep data from retention purges and erasure until released."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.services.governance import HoldTarget, add_hold, hold_as_dict, list_holds, release_hold
from atalaia.services.governance.inputs import parse_day

holds_app = typer.Typer(help="Legal holds: data kept from retention and erasure until released.", no_args_is_help=True)

ReasonOption = Annotated[str, typer.Option("--reason", help="Why (the case, the request); audited.")]


@holds_app.command("add")
@handle_errors
def holds_add(
    reason: ReasonOption,
    phone: Annotated[str | None, typer.Option("--phone", help="A contact's number: their chats and messages.")] = None,
    line: Annotated[str | None, typer.Option("--line", help="A line (+5521... or id): all its messages.")] = None,
    conversation: Annotated[int | None, typer.Option("--conversation", help="A conversation id.")] = None,
    employee: Annotated[
        str | None, typer.Option("--employee", help="An employee's e-mail: every line they ever held.")
    ] = None,
    query: Annotated[str | None, typer.Option("--query", help="A search query: the messages it finds.")] = None,
    starts: Annotated[
        str | None, typer.Option("--from", help="First day in force (AAAA-MM-DD); today when omitted.")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day in force (AAAA-MM-DD); open-ended.")] = None,
    owner: Annotated[str, typer.Option("--owner", help="Who answers for the hold (e-mail).")] = "cli",
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Place a legal hold; audited."""
    target = HoldTarget(phone=phone, line=line, conversation=conversation, employee=employee, query=query)
    target.scope()  # exactly one target, before anything is opened
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        zone = tenant_row.timezone
        with transaction(runtime.sessions) as session:
            hold = add_hold(
                session,
                tenant=tenant_row,
                target=target,
                reason=reason,
                owner=owner,
                starts_at=parse_day(starts, timezone=zone, end=False, label="--from"),
                ends_at=parse_day(until, timezone=zone, end=True, label="--until"),
            )
            payload = hold_as_dict(hold)
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"retenção legal nº {payload['id']} ({payload['scope']} {payload['target']}) em vigor")


@holds_app.command("list")
@handle_errors
def holds_list(
    active: Annotated[bool, typer.Option("--active", help="Only holds in force now.")] = False,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """The tenant's legal holds, released ones included unless --active."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            now = datetime.now(UTC)
            holds = [hold_as_dict(hold, now=now) for hold in list_holds(session, tenant_id=tenant_row.id)]
    if active:
        holds = [hold for hold in holds if hold["active"]]
    if as_json:
        emit_json({"holds": holds})
        return
    for hold in holds:
        typer.echo(_line(hold))


def _line(hold: dict[str, Any]) -> str:
    state = "em vigor" if hold["active"] else ("liberada" if hold["released_at"] else "fora do período")
    until = f" até {hold['ends_at']}" if hold["ends_at"] else ""  # the instant it ends, exclusive
    return f"{hold['id']:>5}  {hold['scope']:<12} {hold['target']}  [{state}{until}]  {hold['reason']}"


@holds_app.command("release")
@handle_errors
def holds_release(
    hold_id: Annotated[int, typer.Argument(help="The hold's number.")],
    reason: ReasonOption,
    actor: Annotated[str, typer.Option("--by", help="Who releases it (e-mail).")] = "cli",
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Release a legal hold; its data follows retention and erasure again. Audited."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            hold = release_hold(session, tenant_id=tenant_row.id, hold_id=hold_id, reason=reason, actor=actor)
            payload = hold_as_dict(hold)
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"retenção legal nº {hold_id} liberada")


def register(app: typer.Typer) -> None:
    app.add_typer(holds_app, name="holds")
