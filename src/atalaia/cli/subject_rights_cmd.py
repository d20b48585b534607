"""`atalaia subject erase` and `atalaia subject requests`: LGPD erasure and the request register.

They join the `subject` group that `subject_cmd` defines (its `export`), or start it when that
module is not registered first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.services.governance import erase_subject, list_requests, request_as_dict

GROUP = "subject"


@handle_errors
def subject_erase(
    phone: Annotated[str, typer.Option("--phone", help="The subject's number (+5521988887777) or WhatsApp id.")],
    reason: Annotated[str, typer.Option("--reason", help="The request being served; audited.")],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Anonymise what one person sent (LGPD art. 18, VI), except what a legal hold keeps; audited."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        result = erase_subject(runtime, tenant=tenant_row, phone=phone, reason=reason)
    if as_json:
        emit_json(result.as_dict())
        return
    typer.echo(f"{result.erased} mensagem(ns) apagada(s); pedido nº {result.request_id}: {result.status}")
    if result.reason_refused:
        typer.echo(result.reason_refused)


@handle_errors
def subject_requests(
    status: Annotated[str | None, typer.Option("--status", help="open | partial | done | refused")] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """The register of data subjects' requests, with their 15-day deadlines."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            now = datetime.now(UTC)
            rows = [request_as_dict(r, now=now) for r in list_requests(session, tenant_id=tenant_row.id, status=status)]
    if as_json:
        emit_json({"requests": rows})
        return
    for row in rows:
        late = "  ATRASADO" if row["overdue"] else ""
        typer.echo(
            f"{row['id']:>5}  {row['kind']:<8} {row['subject']:<16} {row['status']:<8} "
            f"prazo {row['due_at'][:10]}{late}  {row['reason']}"
        )


def register(app: typer.Typer) -> None:
    group = next(
        (info.typer_instance for info in app.registered_groups if info.name == GROUP and info.typer_instance),
        None,
    )
    if group is None:
        group = typer.Typer(
            help="LGPD requests of one data subject (a contact), by phone number.", no_args_is_help=True
        )
        app.add_typer(group, name=GROUP)
    group.command("erase")(subject_erase)
    group.command("requests")(subject_requests)
