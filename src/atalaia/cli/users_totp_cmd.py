"""`atalaia users totp-reset`: remove a user's TOTP second factor (a lost phone), audited as the CLI."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from atalaia.cli.admin import users_app
from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.db.models import User
from atalaia.errors import NotFound
from atalaia.services.people import normalise_email
from atalaia.services.totp import reset_totp


@handle_errors
def totp_reset_command(
    email: Annotated[str, typer.Option("--email", help="The user whose second factor is removed.")],
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Remove a user's TOTP second factor and recovery codes; they sign in with the password until they enrol again."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            user = session.execute(
                select(User).where(User.tenant_id == tenant_row.id, User.email == normalise_email(email))
            ).scalar_one_or_none()
            if user is None:
                raise NotFound(f"no user {email} in this tenant")
            was_enabled = reset_totp(session, user=user, actor="cli")
    if as_json:
        emit_json({"email": user.email, "was_enabled": was_enabled})
    else:
        state = "removed" if was_enabled else "was not enabled; pending enrolment (if any) removed"
        typer.echo(f"second factor of {user.email}: {state}")


def register(app: typer.Typer) -> None:
    del app  # a subcommand of `atalaia users`, whose group admin.py adds to the app
    users_app.command("totp-reset")(totp_reset_command)
