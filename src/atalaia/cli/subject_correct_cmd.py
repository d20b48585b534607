"""`atalaia subject correct`: correct a data subject's contact data (LGPD art. 18, III).

Joins the `subject` group that `subject_cmd` defines, or starts it when that module is not
registered first (like subject_rights_cmd).
"""

from __future__ import annotations

from typing import Annotated

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.services.governance import CorrectionRequest, correct_subject

GROUP = "subject"


@handle_errors
def subject_correct(
    phone: Annotated[str, typer.Option("--phone", help="The subject's number (+5521988887777) or WhatsApp id.")],
    reason: Annotated[str, typer.Option("--reason", help="The request being served; audited.")],
    name: Annotated[str | None, typer.Option("--name", help="The correct name, shown from now on.")] = None,
    email: Annotated[str | None, typer.Option("--email", help='The correct e-mail ("" clears it).')] = None,
    note: Annotated[str | None, typer.Option("--note", help='A note on the contact ("" clears it).')] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Correct one person's contact data (LGPD art. 18, III); the old values stay sealed; audited."""
    request = CorrectionRequest(phone=phone, reason=reason, name=name, email=email, note=note)
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            result = correct_subject(
                session, tenant=tenant_row, data_key=runtime.data_key(tenant_row), request=request, actor="cli"
            )
    if as_json:
        emit_json(result.as_dict())
        return
    if result.fields:
        typer.echo(
            f"Corrigido ({', '.join(result.fields)}) em {result.contacts} contato(s); pedido nº {result.request_id}"
        )
    else:
        typer.echo(f"Nada a corrigir: os dados já eram esses; pedido nº {result.request_id} registrado")


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
    group.command("correct")(subject_correct)
