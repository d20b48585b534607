"""`atalaia parse FILE`: read a WhatsApp chat export and print its messages; nothing is stored."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from json.encoder import encode_basestring  # C-accelerated when the _json extension is there
from pathlib import Path
from typing import Annotated, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from atalaia.cli.common import JsonOption, fail, handle_errors
from atalaia.connectors.chat_export import ExportedMessage, ExportKind, ExportReader, ParseStats, read_export
from atalaia.errors import AtalaiaError

PROGRESS_MIN_BYTES: Final = 8 << 20  # smaller exports parse in well under a second
_NULL: Final = "null"

Writer = Callable[[ExportedMessage], None]


def _json_line(message: ExportedMessage) -> str:
    """The `--json` object, built by hand: json.dumps per message would cost as much as parsing.

    Same output as `json.dumps(message.as_json(), ensure_ascii=False)`.
    """
    author = encode_basestring(message.author) if message.author is not None else _NULL
    attachment = encode_basestring(message.attachment) if message.attachment is not None else _NULL
    truncated = ', "truncated": true' if message.truncated else ""
    return (
        f'{{"timestamp": "{message.timestamp.isoformat()}", "author": {author}, '
        f'"text": {encode_basestring(message.text)}, "kind": "{message.kind.value}", '
        f'"attachment": {attachment}, "edited": {"true" if message.edited else "false"}{truncated}}}\n'
    )


def _human_line(message: ExportedMessage) -> str:
    when = message.timestamp.strftime("%d/%m/%Y %H:%M:%S")
    who = message.author if message.author is not None else "(sistema)"
    if message.kind is ExportKind.MEDIA:
        marker = f"[mídia: {message.attachment}]" if message.attachment else "[mídia oculta]"
        body = f"{marker} {message.text}".rstrip()
    elif message.kind is ExportKind.DELETED:
        body = "[mensagem apagada]"
    else:
        body = message.text
    if message.edited:
        body += " (editada)"
    indent = "\n" + " " * (len(when) + 2)
    return f"{when}  {who}: {body.replace(chr(10), indent)}\n"


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A byte progress bar on stderr, only for large exports and only when stderr is a terminal."""
    if total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("lendo"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("parse", total=total)
        yield lambda done: progress.update(task, completed=done)


def _warnings(reader: ExportReader, stats: ParseStats) -> list[str]:
    notes = []
    fmt = reader.format
    if fmt.order_source == "default" or (fmt.order_source == "locale" and fmt.locale == "auto"):
        order = "mês/dia" if fmt.order.value == "mdy" else "dia/mês"
        notes.append(f"a ordem das datas não aparece no arquivo; usando {order} (use --locale para escolher)")
    if stats.preamble_lines:
        notes.append(f"{stats.preamble_lines} linha(s) antes da primeira mensagem ficaram de fora")
    if stats.truncated_messages or stats.truncated_lines:
        notes.append(f'{stats.truncated_messages} mensagem(ns) longa(s) demais foram cortadas ("truncated": true)')
    if stats.replaced_characters:
        notes.append(f"{stats.replaced_characters} mensagem(ns) com bytes inválidos em UTF-8, trocados por �")
    return notes


def _stdout_closed() -> None:
    """`atalaia parse ... | head`: the reader went away; stop quietly, without a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


@handle_errors
def parse_command(
    file: Annotated[Path, typer.Argument(help="Conversa exportada do WhatsApp (.txt ou .zip).", show_default=False)],
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Fuso horário do telefone (ex.: America/Sao_Paulo); usado pelo import."),
    ] = None,
    locale: Annotated[
        str,
        typer.Option("--locale", help="auto, ou o idioma/região do telefone: pt-BR, pt-PT, en-US, en-GB, es, de..."),
    ] = "auto",
    as_json: JsonOption = False,
) -> None:
    """Lê uma conversa exportada e imprime suas mensagens, uma por linha; nada é gravado."""
    try:
        _parse(file, tz=tz, locale=locale, as_json=as_json)
    except (typer.Exit, click.exceptions.Exit, click.ClickException, AtalaiaError):
        raise
    except Exception as exc:  # a bug must still end in one line, not a traceback (the contract)
        raise fail(f"falha inesperada ao ler {file.name}: {type(exc).__name__}: {exc}", code=1) from None


def _parse(file: Path, *, tz: str | None, locale: str, as_json: bool) -> None:
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail(f"fuso horário desconhecido: {tz!r}") from None
    render = _json_line if as_json else _human_line
    with read_export(file, locale=locale) as reader:
        fmt = reader.format  # decided before anything is printed: a bad file prints nothing
        write = sys.stdout.write
        try:
            with _progress(reader.source.size) as advance:
                for message in reader.messages(progress=advance):
                    write(render(message))
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_closed()
            raise typer.Exit(0) from None
        stats = reader.stats
        for note in _warnings(reader, stats):
            typer.echo(f"aviso: {note}", err=True)
        if not as_json:
            typer.echo(f"{stats.messages} mensagens · {fmt.describe()}", err=True)


def register(app: typer.Typer) -> None:
    app.command("parse")(parse_command)
