"""`atalaia simulate`: send the demo company's traffic, as Meta and Evolution API send it, to a server.

Cloud API bodies are signed with the app secret (`ATALAIA_CLOUD_APP_SECRET`, the server's own);
Evolution envelopes carry their line's token, which only `atalaia lines add ... --json` shows
(once): `--token-file` lists them as `+5521999990000=TOKEN` lines. `atalaia demo` never shows
its gateway lines' tokens, so against a demo server only its Cloud API lines are simulated.
The traffic is bounded in count (`--messages`) and time (`--max-seconds`), and goes only to
`--url`: loopback unless another address is given explicitly; proxies and redirects are ignored.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Final

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from atalaia.cli.common import JsonOption, emit_json, fail, handle_errors
from atalaia.demo import build_plan
from atalaia.simulate import (
    SIMULATED,
    Delivery,
    PayloadBuilder,
    deliveries,
    read_token_file,
    simulated_lines,
    simulated_stream,
)
from atalaia.simulate_http import HttpFailure, KeepAliveConnection

DEFAULT_URL: Final = "http://127.0.0.1:8000"
MAX_MESSAGES: Final = 5_000_000
REQUEST_TIMEOUT: Final = 60.0  # seconds; a stuck server cannot hold us longer
CONNECT_TIMEOUT: Final = 10.0
LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(slots=True)
class SendReport:
    """What the server answered; `new`/`duplicates` add up the archive's own counts."""

    requests: int = 0
    accepted: int = 0  # 2xx
    rejected: int = 0  # 401 / 403: bad signature or token
    failed: int = 0  # anything else, connection errors included
    duplicate_deliveries: int = 0
    messages: int = 0  # distinct messages sent (re-deliveries not counted again)
    events: int = 0
    new: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    stopped_early: bool = False  # --max-seconds ran out before everything was sent
    status_codes: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        seconds = max(self.seconds, 1e-9)
        return {
            "requests": self.requests,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "failed": self.failed,
            "duplicate_deliveries": self.duplicate_deliveries,
            "messages": self.messages,
            "events": self.events,
            "new": self.new,
            "duplicates": self.duplicates,
            "seconds": round(self.seconds, 3),
            "messages_per_s": round(self.messages / seconds, 1),
            "requests_per_s": round(self.requests / seconds, 1),
            "stopped_early": self.stopped_early,
            "status_codes": dict(sorted(self.status_codes.items())),
        }


def check_url(url: str) -> tuple[str, bool]:
    """The base URL without a trailing slash, and whether its host is a loopback address."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"URL inválida: {url!r} ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"URL inválida: {url!r} (use http://HOST:PORTA)")
    if parsed.query or parsed.fragment:
        raise ValueError(f"URL inválida: {url!r} (sem ? nem #)")
    host = parsed.host.lower()
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host in LOOPBACK_NAMES
    return str(parsed).rstrip("/"), loopback


def send_deliveries(
    items: Iterable[Delivery],
    *,
    url: str,
    concurrency: int = 4,
    rate: float = 0.0,
    max_seconds: float = 600.0,
    on_sent: Callable[[Delivery], None] | None = None,
) -> SendReport:
    """POST every delivery to `url` over `concurrency` connections, at most `rate` messages a
    second (0: as fast as the server answers), stopping after `max_seconds`. Blocks until the
    requests in flight are answered; returns the tally. Used by `bench/ingest_http.py` too."""
    return asyncio.run(_send_all(iter(items), url=url, concurrency=concurrency, rate=rate, max_seconds=max_seconds,
                                 on_sent=on_sent))  # fmt: skip


async def _send_all(
    items: Any,
    *,
    url: str,
    concurrency: int,
    rate: float,
    max_seconds: float,
    on_sent: Callable[[Delivery], None] | None,
) -> SendReport:
    report = SendReport()
    queue: asyncio.Queue[Delivery | None] = asyncio.Queue(maxsize=concurrency * 4)

    async def worker() -> None:
        connection = KeepAliveConnection(url, timeout=REQUEST_TIMEOUT, connect_timeout=CONNECT_TIMEOUT)
        try:
            while (item := await queue.get()) is not None:
                await _post(connection, item, report)
                if on_sent is not None:
                    on_sent(item)
        finally:
            await connection.close()

    started = time.perf_counter()
    deadline = started + max_seconds
    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    paced = 0  # messages released so far, for --rate
    for item in items:
        now = time.perf_counter()
        if now >= deadline:
            report.stopped_early = True
            break
        if rate > 0 and not item.duplicate and item.messages:
            due = started + paced / rate
            if due > now:
                await asyncio.sleep(min(due - now, deadline - now))
            paced += item.messages
        await queue.put(item)
    for _ in workers:
        await queue.put(None)
    await asyncio.gather(*workers)
    report.seconds = time.perf_counter() - started
    return report


async def _post(connection: KeepAliveConnection, item: Delivery, report: SendReport) -> None:
    report.requests += 1
    if item.duplicate:
        report.duplicate_deliveries += 1
    else:
        report.messages += item.messages
        report.events += item.events
    try:
        answer = await connection.post(item.path, item.body, dict(item.headers))
    except HttpFailure as exc:
        report.failed += 1
        report.status_codes[exc.kind] += 1
        return
    report.status_codes[str(answer.status)] += 1
    if answer.status in (401, 403):
        report.rejected += 1
    elif not 200 <= answer.status < 300:
        report.failed += 1
    else:
        report.accepted += 1
        try:
            counts = json.loads(answer.body)
        except ValueError:
            return
        if isinstance(counts, dict):
            report.new += _count(counts.get("new"))
            report.duplicates += _count(counts.get("duplicates"))


def _count(value: object) -> int:
    """A count from the server's answer; anything else counts as nothing."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _preflight(url: str) -> None:
    """Fail fast, with a clear message, when nothing answers at `url`."""
    try:
        with httpx.Client(base_url=url, timeout=5.0, trust_env=False, follow_redirects=False) as client:
            client.get("/healthz")
    except httpx.HTTPError as exc:
        raise fail(f"o servidor não responde em {url} ({type(exc).__name__}); inicie `atalaia serve`") from None


@handle_errors
def simulate_command(
    url: Annotated[str, typer.Option("--url", help="The Atalaia server to send to.")] = DEFAULT_URL,
    provider: Annotated[str, typer.Option("--provider", help="cloud | evolution | both")] = "both",
    messages: Annotated[
        int, typer.Option("--messages", min=1, max=MAX_MESSAGES, help="Messages to send (plus their statuses...).")
    ] = 1_000,
    rate: Annotated[float, typer.Option("--rate", min=0, help="Messages per second; 0: as fast as it answers.")] = 0,
    seed: Annotated[int | None, typer.Option("--seed", help="Same seed, same traffic; random when omitted.")] = None,
    duplicates: Annotated[
        float, typer.Option("--duplicates", min=0, max=1, help="Share of requests delivered twice, as retries.")
    ] = 0.05,
    app_secret: Annotated[
        str | None,
        typer.Option("--app-secret", envvar="ATALAIA_CLOUD_APP_SECRET", help="Meta app secret the server checks."),
    ] = None,
    token_file: Annotated[
        Path | None, typer.Option("--token-file", help="Evolution line tokens, one `+5521999990000=TOKEN` a line.")
    ] = None,
    demo_seed: Annotated[int, typer.Option("--demo-seed", help="The `atalaia demo --seed` of the server.")] = 7,
    days: Annotated[int, typer.Option("--days", min=1, max=365, help="Days of traffic, up to --end.")] = 7,
    end: Annotated[
        str | None, typer.Option("--end", help="Last day of traffic, YYYY-MM-DD; default yesterday.")
    ] = None,
    batch: Annotated[int, typer.Option("--batch", min=1, max=100, help="Most objects per Cloud API body.")] = 4,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Connections at once.")] = 4,
    max_seconds: Annotated[
        float, typer.Option("--max-seconds", min=1, max=86_400, help="Stop sending after this long.")
    ] = 600,
    list_lines: Annotated[
        bool, typer.Option("--list-lines", help="Print the demo's lines (to create them) and exit; sends nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Send the demo company's WhatsApp traffic to a running server, as Meta and Evolution API would.

    Cloud API bodies are signed with --app-secret; Evolution lines need --token-file (`atalaia demo`
    never shows its gateway tokens: create the lines with `atalaia lines add --json`, see
    --list-lines); without tokens only the Cloud API lines are simulated.
    """
    plan = build_plan(seed=demo_seed)
    if list_lines:
        rows = [{"number": line.number, "provider": line.provider.value, "phone_number_id": line.phone_number_id,
                 "instance": line.instance, "team": line.team} for line in plan.lines]  # fmt: skip
        if as_json:
            emit_json(rows)
        else:
            for row in rows:
                typer.echo("  ".join(str(v) for v in row.values() if v is not None))
        return
    if provider not in ("cloud", "evolution", "both"):
        raise fail(f"--provider deve ser cloud, evolution ou both, não {provider!r}")
    try:
        base_url, loopback = check_url(url)
        tokens = read_token_file(token_file.read_text(encoding="utf-8")) if token_file else {}
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    cloud = provider in ("cloud", "both")
    if cloud and not app_secret:
        raise fail("tráfego Cloud API precisa de --app-secret (ou ATALAIA_CLOUD_APP_SECRET), o mesmo do servidor")
    evolution = tokens if provider in ("evolution", "both") else {}
    lines = simulated_lines(plan, cloud=cloud, evolution_numbers=evolution)
    if provider == "evolution" and not lines:
        raise fail("tráfego Evolution precisa de --token-file com os tokens das linhas (`atalaia lines add --json`)")
    unknown = sorted(set(evolution) - {line.number for line in lines})
    if unknown:
        typer.echo(f"aviso: linhas do --token-file fora da demonstração, ignoradas: {', '.join(unknown)}", err=True)
    if not loopback:
        typer.echo(f"aviso: enviando para um endereço que não é local: {base_url}", err=True)
    _preflight(base_url)
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    try:
        # Whole past days by default: no message from the future.
        last = date.fromisoformat(end) if end else datetime.now(UTC).date() - timedelta(days=1)
    except ValueError:
        raise fail(f"--end deve ser uma data AAAA-MM-DD, não {end!r}") from None
    stream = simulated_stream(plan, lines=lines, seed=seed, messages=messages, days=days, end=last)
    requests = deliveries(stream, builder=PayloadBuilder(plan), rng=random.Random(seed), app_secret=app_secret,
                          tokens=evolution, batch=batch, duplicates=duplicates)  # fmt: skip
    with Progress(TextColumn("simulando"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, disable=as_json) as progress:  # fmt: skip
        task = progress.add_task("simulate", total=messages)
        report = send_deliveries(
            requests, url=base_url, concurrency=concurrency, rate=rate, max_seconds=max_seconds,
            on_sent=lambda d: None if d.duplicate else progress.advance(task, d.messages),
        )  # fmt: skip
    summary = {
        "url": base_url,
        "seed": seed,
        "lines": {p.value: sum(line.provider is p for line in lines) for p in sorted(SIMULATED)},
        **report.as_dict(),
    }
    if as_json:
        emit_json(summary)
    else:
        typer.echo(
            f"{report.requests} requisições ({report.duplicate_deliveries} repetidas): {report.accepted} aceitas, "
            f"{report.rejected} recusadas, {report.failed} com erro; {report.messages} mensagens, "
            f"{report.new} novas e {report.duplicates} já arquivadas, "
            f"{summary['messages_per_s']} mensagens/s (semente {seed})"
        )
        if not evolution and provider == "both":
            typer.echo("só linhas Cloud API: sem --token-file não há tokens das linhas Evolution", err=True)
    if report.rejected or report.failed or report.stopped_early:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)


__all__ = ["SendReport", "check_url", "register", "send_deliveries"]
