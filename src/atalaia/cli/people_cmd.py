"""`atalaia people`: invite employees to accept the usage rules, and report who accepted which version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.services import audit
from atalaia.services.onboarding import acceptance_report, invite_employee
from atalaia.services.onboarding.report import STATUS_PT

people_app = typer.Typer(help="Employees: onboarding invitations and acceptance of the usage rules.",
                         no_args_is_help=True)  # fmt: skip


@people_app.command("invite")
@handle_errors
def people_invite(
    email: Annotated[str, typer.Option("--email", help="The employee's e-mail address.")],
    name: Annotated[str, typer.Option("--name", help="The employee's name.")],
    team: Annotated[str | None, typer.Option("--team", help="Their team (created when new).")] = None,
    line: Annotated[str | None, typer.Option("--line", help="A free line to give them, e.g. +5521999990000.")] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """E-mail a single-use link to read and accept the rules and connect the line.

    The link is printed too (it is shown once; only its hash is stored), for when no SMTP is configured.
    """
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        sent = invite_employee(runtime, tenant_id=tenant_row.id, email=email, name=name, team=team, line=line,
                               actor="cli", now=datetime.now(UTC))  # fmt: skip
    payload = {"id": sent.invitation_id, "employee_id": sent.employee_id, "email": sent.email, "line": sent.line,
               "link": sent.link, "expires_at": sent.expires_at.isoformat(), "email_status": sent.email_status,
               "email_error": sent.email_error}  # fmt: skip
    if as_json:
        emit_json(payload)
        return
    typer.echo(f"convite para {sent.email}: e-mail {sent.email_status}" + (f" ({sent.email_error})" if
               sent.email_error else ""))  # fmt: skip
    typer.echo(f"link (uso único, até {sent.expires_at:%d/%m/%Y %H:%M} UTC): {sent.link}")


@people_app.command("acceptances")
@handle_errors
def people_acceptances(tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """Who accepted which version of the usage rules (and who still has to)."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            report = acceptance_report(session, tenant_id=tenant_row.id, now=datetime.now(UTC))
            audit.record(session, tenant_id=tenant_row.id, actor="cli", action="acceptances_read",
                         object_type="usage_rules", object_id=report.current_version,
                         detail={"employees": len(report.employees), "via": "cli"})  # fmt: skip
    if as_json:
        emit_json(report.as_json())
        return
    typer.echo(f"regras em vigor: versão {report.current_version}")
    for row in report.employees:
        when = f" em {row.accepted_at:%d/%m/%Y %H:%M} UTC" if row.accepted_at else ""
        version = f" v{row.accepted_version}" if row.accepted_version else ""
        typer.echo(f"{row.email:<40} {STATUS_PT[row.status]}{version}{when}")


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
