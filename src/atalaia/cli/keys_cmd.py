"""`atalaia keys`: rotate the master key (re-wrapping tenant keys, never re-encrypting blobs) and check it.

The new key is never a command-line argument (it would show in `ps` and shell history): it comes
from `ATALAIA_NEW_SECRET_KEY` or `--new-key-file`. See docs/decisions/0016 for both procedures.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Final

import typer

from atalaia.cli.common import JsonOption, emit_json, handle_errors, open_runtime
from atalaia.errors import InvalidInput
from atalaia.security.keys import Keyring
from atalaia.services.key_rotation import check_keys, rotate_master_key
from atalaia.settings import Settings, checked_secret, get_settings, read_secret_file

NEW_KEY_VARIABLE: Final = "ATALAIA_NEW_SECRET_KEY"
EXIT_NOT_OK: Final = 1

keys_app = typer.Typer(help="The master key: rotate it, check it.", no_args_is_help=True)


def _new_secret(new_key_file: Path | None) -> bytes | None:
    from_env = os.environ.get(NEW_KEY_VARIABLE)
    if new_key_file is not None and from_env:
        raise InvalidInput(f"dê a nova chave por {NEW_KEY_VARIABLE} ou por --new-key-file, não pelos dois")
    if new_key_file is not None:
        return checked_secret(read_secret_file(new_key_file, "--new-key-file"), "--new-key-file")
    if from_env:
        return checked_secret(from_env.strip(), NEW_KEY_VARIABLE)
    return None


def _plan(settings: Settings, new_secret: bytes | None) -> tuple[list[Keyring], Keyring]:
    """(keys rotated from, key rotated to) for the one-step or the finishing step of the two-phase procedure."""
    current = settings.master_secret()
    previous = settings.previous_master_secret()
    if new_secret is None:
        if previous is None:
            raise InvalidInput(
                f"informe a nova chave mestra em {NEW_KEY_VARIABLE} ou em --new-key-file "
                "(ou configure ATALAIA_PREVIOUS_SECRET_KEY para concluir uma rotação em duas fases)"
            )
        return [Keyring(previous)], Keyring(current)
    if new_secret in (current, previous):
        raise InvalidInput("a nova chave é igual a uma chave já configurada; gere outra")
    return [Keyring(current), *([Keyring(previous)] if previous else [])], Keyring(new_secret)


def _next_steps(settings: Settings, *, two_phase: bool, target_id: str, old_ids: list[str]) -> list[str]:
    old = ", ".join(old_ids)
    steps = []
    if two_phase:
        steps.append("remova ATALAIA_PREVIOUS_SECRET_KEY (ou ATALAIA_PREVIOUS_SECRET_KEY_FILE) de todos os processos")
    else:
        steps.append(
            f"troque a chave mestra pela nova (key id {target_id}) em {settings.master_secret_source()}, "
            "em todos os processos (serve, worker e onde a linha de comando roda)"
        )
        if settings.previous_master_secret() is not None:
            steps.append("remova ATALAIA_PREVIOUS_SECRET_KEY (ou ATALAIA_PREVIOUS_SECRET_KEY_FILE)")
    steps += [
        "reinicie `atalaia serve` e `atalaia worker`",
        f"rode `atalaia keys check` com a nova configuração: deve responder ok (key id {target_id})",
        f"guarde a chave antiga (key id {old}) enquanto houver backups feitos antes desta rotação "
        "(só ela os abre); depois destrua-a",
    ]
    return steps


@keys_app.command("rotate")
@handle_errors
def keys_rotate(
    new_key_file: Annotated[
        Path | None,
        typer.Option("--new-key-file", help=f"File with the new master key (else {NEW_KEY_VARIABLE}).", dir_okay=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-wrap every tenant's data and signing keys under a new master key; blobs are not touched.

    Keep the current key configured while this runs; it prints what to change afterwards.
    """
    settings = get_settings()
    new_secret = _new_secret(new_key_file)
    sources, target = _plan(settings, new_secret)
    with open_runtime() as runtime:
        result = rotate_master_key(runtime.sessions, sources=sources, target=target)
    steps = _next_steps(
        settings, two_phase=new_secret is None, target_id=target.key_id, old_ids=[k.key_id for k in sources]
    )
    if as_json:
        emit_json({**result.as_dict(), "next_steps": steps})
        return
    typer.echo(
        f"{len(result.rotated)} tenant(s) passaram para a chave {result.key_id}; "
        f"{len(result.already)} já estavam nela. Nenhum blob foi recifrado."
    )
    typer.echo("Agora:")
    for number, step in enumerate(steps, start=1):
        typer.echo(f"  {number}. {step}")


@keys_app.command("check")
@handle_errors
def keys_check(as_json: JsonOption = False) -> None:
    """Check that every tenant's wrapped keys open with the configured master key; exit status 1 if not."""
    settings = get_settings()
    previous = settings.previous_master_secret()
    current = Keyring(settings.master_secret())
    with open_runtime() as runtime:
        result = check_keys(runtime.sessions, current=current, previous=Keyring(previous) if previous else None)
    if as_json:
        emit_json(result.as_dict())
    elif result.ok:
        typer.echo(f"ok: as chaves de {result.tenants} tenant(s) abrem com a chave mestra {result.key_id}")
    else:
        for problem in result.problems:
            typer.echo(f"{problem['tenant']}: {problem['kind']}: {problem['detail']}", err=True)
        typer.echo(f"erro: {len(result.problems)} problema(s) com a chave mestra {result.key_id}", err=True)
    if not result.ok:
        raise typer.Exit(EXIT_NOT_OK)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
