"""`atalaia notices`: the notice to third parties — its text, and who got it (or never did)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer

from atalaia.cli.common import JsonOption, TenantOption, emit_json, handle_errors, open_runtime, resolve_tenant
from atalaia.db.engine import transaction
from atalaia.db.models import Tenant
from atalaia.errors import InvalidInput
from atalaia.services import audit
from atalaia.services.notices import list_notices, notice_text, privacy_url

notices_app = typer.Typer(help="The notice that tells contacts the chat is recorded.", no_args_is_help=True)
MAX_TEXT: Final = 4096  # WhatsApp's limit for a text message body
MAX_PRIVACY_BYTES: Final = 200_000


@notices_app.command("configure")
@handle_errors
def notices_configure(
    text: Annotated[
        str | None, typer.Option("--text", help="Notice text; {empresa} and {privacidade} are filled in.")
    ] = None,
    template: Annotated[
        str | None, typer.Option("--template", help="Cloud API template sent outside the 24-hour window.")
    ] = None,
    language: Annotated[str | None, typer.Option("--language", help="The template's language, e.g. pt_BR.")] = None,
    every_days: Annotated[
        int | None, typer.Option("--every-days", min=0, max=3650, help="Repeat after N days (0: only once).")
    ] = None,
    privacy_file: Annotated[
        Path | None, typer.Option("--privacy-file", help="Plain-text privacy policy for the public page.")
    ] = None,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Set the notice and the privacy policy; options left out keep their value."""
    if text is not None and not 1 <= len(text.strip()) <= MAX_TEXT:
        raise InvalidInput(f"--text must have 1 to {MAX_TEXT} characters")
    privacy = _read_privacy(privacy_file) if privacy_file else None
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with transaction(runtime.sessions) as session:
            row = session.get(Tenant, tenant_row.id)
            assert row is not None  # resolve_tenant found it
            if text is not None:
                row.notice_text = text.strip()
            if template is not None:
                row.notice_template = template.strip() or None
            if language is not None:
                row.notice_language = language.strip() or "pt_BR"
            if every_days is not None:
                row.notice_every_days = every_days or None
            if privacy is not None:
                row.privacy_text = privacy
            changed = {"text": text is not None, "template": template, "every_days": every_days,
                       "privacy": privacy is not None}  # fmt: skip
            audit.record(session, tenant_id=row.id, actor="cli", action="notice_configured", object_type="tenant",
                         object_id=row.id, detail=changed)  # fmt: skip
            payload = {
                "text": notice_text(row, runtime.settings.public_url),
                "template": row.notice_template,
                "language": row.notice_language,
                "every_days": row.notice_every_days,
                "privacy_url": privacy_url(row, runtime.settings.public_url),
            }
    if as_json:
        emit_json(payload)
    else:
        typer.echo(f"aviso: {payload['text']}\npolítica de privacidade: {payload['privacy_url']}")


@notices_app.command("list")
@handle_errors
def notices_list(
    missing: Annotated[bool, typer.Option("--missing", help="Only contacts that never received the notice.")] = False,
    tenant: TenantOption = "default",
    as_json: JsonOption = False,
) -> None:
    """Each notice with its delivery (sent, delivered, read, failed, manual) and who never got one."""
    with open_runtime() as runtime:
        tenant_row = resolve_tenant(runtime, tenant)
        with runtime.sessions() as session:
            views = list_notices(session, tenant_id=tenant_row.id, missing_only=missing)
    rows = [
        {"line": v.line, "contact": v.contact, "status": v.status, "reason": v.reason,
         "created_at": v.created_at.isoformat() if v.created_at else None}
        for v in views
    ]  # fmt: skip
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['line']}  {row['status']:<9} {row['contact']}")


def _read_privacy(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_PRIVACY_BYTES:
        raise InvalidInput(f"{path} is larger than {MAX_PRIVACY_BYTES} bytes")
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text") from None


def register(app: typer.Typer) -> None:
    app.add_typer(notices_app, name="notices")
