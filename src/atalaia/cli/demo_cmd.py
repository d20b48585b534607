"""`atalaia demo`: fill ATALAIA_HOME with the demo company, print its sign-in, then serve."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from atalaia.cli.common import handle_errors, open_runtime
from atalaia.services.demo import load_demo

DEFAULT_MESSAGES = 20_000


@handle_errors
def demo_command(
    messages: Annotated[
        int, typer.Option("--messages", min=1, help="About how many messages to generate.")
    ] = DEFAULT_MESSAGES,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same company and conversations.")] = 7,
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Days of history, ending today.")] = 90,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the data and exit.")] = False,
    host: Annotated[str, typer.Option("--host", help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
) -> None:
    """Load the deterministic demo tenant (only once per ATALAIA_HOME) and serve the console."""
    with open_runtime() as runtime:
        with Progress(
            TextColumn("[bold]carregando demonstração"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as progress:
            task = progress.add_task("demo", total=messages)
            summary = load_demo(
                runtime, messages=messages, seed=seed, days=days, progress=lambda n: progress.advance(task, n)
            )
        if summary.loaded:
            typer.echo(f"demonstração carregada: {summary.result.new} mensagens, {summary.result.attachments} anexos")
        else:
            typer.echo("demonstração já carregada neste ATALAIA_HOME")
        typer.echo(f"console: http://{host}:{port}")
        typer.echo(f"entrar com: {summary.login.email}")
        typer.echo(f"senha:      {summary.login.password}")
        typer.echo(
            f"administração (linhas, pessoas, regras de uso): {summary.admin.email}  senha: {summary.admin.password}"
        )
        if no_serve:
            return
        from atalaia.web.server import serve  # the web stack loads only when serving

        serve(runtime, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
