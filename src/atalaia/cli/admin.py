"""Administrative commands: migrate, users, stats, verify."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select

from atalaia.archive.verify import verify_tenant
from atalaia.cli.common import (
    JsonOption,
    TenantOption,
    emit_json,
    handle_errors,
    open_runtime,
    resolve_tenant,
)
from atalaia.db.engine import transaction
from atalaia.db.models import ChainHead, User
from atalaia.errors import NotFound
from atalaia.services import audit
from atalaia.services.auth import issue_api_token
from atalaia.services.people import create_user, normalise_email
from atalaia.services.stats import tenant_stats
from atalaia.services.tenancy import DEFAULT_TENANT_SLUG

users_app = typer.Typer(help="Console and API users.", no_args_is_help=True)


@handle_errors
def migrate_command() -> None:
    """Create or upgrade the database schema (serve and every command also do it on start)."""
    with open_runtime(migrate=True) as runtime:
        typer.echo(f"database at head: {runtime.engine.url.render_as_string(hide_password=True)}")


@users_app.command("create")
@handle_errors
def users_create(
    email: Annotated[str, typer.Option("--email", help="Sign-in e-mail.")],
    role: Annotated[str, typer.Option("--role", help="admin | compliance | manager | auditor")],
    team: Annotated[list[str] | None, typer.Option("--team", help="Team a manager sees (repeatable).")] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="At least 12 characters; generated when omitted.")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Create a user; a generated password is printed once."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            created = create_user(
                session,
                tenant_id=tenant_row.id,
                email=email,
                role=role,
                teams=team,
                password=password,
                name=name,
            )
            audit.record(
                session,
                tenant_id=tenant_row.id,
                actor="cli",
                action="user_created",
                object_type="user",
                object_id=created.user.id,
                detail={"email": created.user.email, "role": created.user.role, "teams": team or []},
            )
    payload: dict[str, object] = {
        "id": created.user.id,
        "email": created.user.email,
        "role": created.user.role,
    }
    if created.generated_password:
        payload["password"] = created.generated_password
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"user {created.user.email} ({created.user.role}) created, id {created.user.id}")
        if created.generated_password:
            typer.echo(f"password (shown once): {created.generated_password}")


@users_app.command("token")
@handle_errors
def users_token(
    email: Annotated[str, typer.Option("--email", help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Issue an API bearer token for a user; it is printed once and stored only as a hash."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            user = session.execute(
                select(User).where(User.tenant_id == tenant_row.id, User.email == normalise_email(email))
            ).scalar_one_or_none()
            if user is None:
                raise NotFound(f"no user {email} in this tenant")
            token = issue_api_token(session, user=user, name=name)
    if as_json:
        emit_json({"email": user.email, "name": name, "token": token})
    else:
        typer.echo(f"token (shown once; send as Authorization: Bearer): {token}")


@handle_errors
def stats_command(tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """Counts of what the tenant's archive holds."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            stats = tenant_stats(
                session, tenant_id=tenant_row.id, include_unrouted=tenant_row.slug == DEFAULT_TENANT_SLUG
            )
    if as_json:
        emit_json(stats)
        return
    for key, value in stats.items():
        typer.echo(f"{key:>14}: {value}")


@handle_errors
def verify_command(tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """Check the hash chain, signed checkpoints and audit log; exit status 1 on any problem."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            total = session.get(ChainHead, tenant_row.id)
            with Progress(
                TextColumn("verificando"), BarColumn(), MofNCompleteColumn(), transient=True, disable=as_json
            ) as progress:
                task = progress.add_task("verify", total=total.seq if total else None)
                report = verify_tenant(
                    session,
                    tenant_id=tenant_row.id,
                    public_key=tenant_row.signing_public_key,
                    progress=lambda n: progress.advance(task, n),
                )
    if as_json:
        emit_json(report.as_dict())
    else:
        status = "ok" if report.ok else f"{len(report.problems)} problem(s)"
        typer.echo(
            f"{report.records} records, {report.checkpoints} checkpoints, "
            f"{report.audit_entries} audit entries: {status}"
        )
        if report.purges or report.erasures:
            typer.echo(
                f"  {report.purged} purged by {report.purges} purge(s), "
                f"{report.erased} erased by {report.erasures} erasure(s), as recorded in the chain"
            )
        for problem in report.problems:
            typer.echo(f"  {problem.kind:>9}  {problem.record}: {problem.detail}")
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate_command)
    app.command("stats")(stats_command)
    app.command("verify")(verify_command)
    app.add_typer(users_app, name="users")
