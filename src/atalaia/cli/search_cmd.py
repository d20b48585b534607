"""`atalaia search`: full-text search of the tenant's archive, audited like every read."""

from __future__ import annotations

from typing import Annotated

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.search import search
from atalaia.services.search_filters import SearchOptions, build_filters

CLI_ACTOR = "cli"


@handle_errors
def search_command(
    query: Annotated[
        str,
        typer.Argument(help='Words (all must appear), "a phrase", -excluded, prefix*; accents and case ignored.'),
    ],
    line: Annotated[list[str] | None, typer.Option("--line", help="Line number (+5521...) or id; repeatable.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="From this date (AAAA-MM-DD, tenant's time zone) or ISO date-time.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Up to this date, the whole day included, or ISO date-time.")
    ] = None,
    direction: Annotated[str | None, typer.Option("--direction", help="inbound | outbound")] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Message kind (text, image, ...); repeatable.")
    ] = None,
    conversation: Annotated[int | None, typer.Option("--conversation", help="Conversation id.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Contact phone (+55...) or id.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Team name or id: the messages on its lines.")] = None,
    employee: Annotated[
        str | None, typer.Option("--employee", help="Employee e-mail or id: the messages on the lines they hold.")
    ] = None,
    attachment: Annotated[
        bool | None, typer.Option("--attachment/--no-attachment", help="Only messages with (or without) files.")
    ] = None,
    deleted: Annotated[
        bool | None, typer.Option("--deleted/--not-deleted", help="Only messages deleted for everyone (or not).")
    ] = None,
    edited: Annotated[bool | None, typer.Option("--edited/--not-edited", help="Only edited messages (or not).")] = None,
    alert: Annotated[
        bool | None, typer.Option("--alert/--no-alert", help="Only messages a compliance alert points at (or not).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Results per page (1-500).")] = 20,
    offset: Annotated[int, typer.Option("--offset", help="Results to skip.")] = 0,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Search the archive; best matches first, then newest. Every search is written to the audit log."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            options = SearchOptions(
                lines=line or (),
                team=team,
                employee=employee,
                contact=contact,
                date_from=date_from,
                date_to=date_to,
                direction=direction,
                kinds=kind or (),
                conversation_id=conversation,
                has_attachment=attachment,
                has_alert=alert,
                deleted=deleted,
                edited=edited,
            )
            filters = build_filters(session, tenant_id=tenant_row.id, timezone=tenant_row.timezone, options=options,
                                    date_labels=("--from", "--to"))  # fmt: skip
            results = search(
                session,
                tenant_id=tenant_row.id,
                query=query,
                actor=CLI_ACTOR,
                filters=filters,
                limit=limit,
                offset=offset,
            )
    if as_json:
        emit_json(results.as_dict())
        return
    shown = f"{offset + 1}-{offset + len(results.hits)} de " if results.hits else ""
    typer.echo(f"{shown}{results.total} resultado(s)")
    for hit in results.hits:
        flags = "".join((" (apagada)" if hit.deleted else "", " (editada)" if hit.edited else ""))
        typer.echo(f"{hit.timestamp:%Y-%m-%d %H:%M} UTC  #{hit.message_id}  {hit.author or '-'}{flags}")
        typer.echo(f"    {hit.snippet}")


def register(app: typer.Typer) -> None:
    # A query may start with "-" (an exclusion): read it as the query, not as an unknown option.
    app.command("search", context_settings={"ignore_unknown_options": True})(search_command)
