"""End-to-end ingestion benchmark: signed Cloud API webhooks over HTTP into `atalaia serve`.

    .venv/bin/python bench/ingest_http.py [--messages 2000] [--backends sqlite,postgres]
        [--batch 4] [--concurrency 4] [--duplicates 0,0.05] [--max-seconds 600]
        [--workers 1] [--acknowledge archived,journaled]

For each backend and each duplicate share:
1. A fresh ATALAIA_HOME in a temp folder, with SQLite in it or a new PostgreSQL database on
   ATALAIA_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test); the demo
   company's eight Cloud API lines are created (no messages) and its default policies imported,
   so every message goes journal -> archive (chain, search index) -> policy scan.
2. `atalaia serve --no-worker` starts as a subprocess on a free 127.0.0.1 port (nothing else is
   ever contacted), with the app secret the bodies are signed with.
3. The demo traffic of those lines (N messages plus their statuses, edits, deletions, reactions)
   is built into signed bodies of 1 to `--batch` objects before the clock starts, then sent by
   `atalaia.cli.simulate_cmd.send_deliveries` over `--concurrency` keep-alive connections; a
   share of bodies is delivered a second time, byte for byte, as Meta does after a timeout.
4. The clock stops when the last message is archived: with `--acknowledge archived` (the default
   server setting) the server archives before it answers, so that is the last response; with
   `journaled` it answers after the journal commit and archives just after, so the clock also
   waits until no journal entry is pending. `atalaia stats --json` then shows each message
   stored once.
Prints one JSON line per run (SPEC.md target: 2,000 msg/s on 2 cores with SQLite).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from atalaia.cli.simulate_cmd import send_deliveries
from atalaia.db.engine import transaction
from atalaia.db.models import JournalEntry
from atalaia.demo import build_plan
from atalaia.runtime import Runtime
from atalaia.services.compliance import import_default_policies
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from atalaia.simulate import PayloadBuilder, deliveries, simulated_lines, simulated_stream
from bench_databases import drop_database, fresh_database

SECRET = "bench-app-secret-" + "x" * 24
KEY = "bench-secret-key-" + "k" * 32
END = date(2026, 11, 1)  # fixed so every run sends the same traffic
SEED = 7
HOST = "127.0.0.1"  # loopback only
ATALAIA = [sys.executable, "-m", "atalaia"]


def free_port() -> int:
    with socket.create_server((HOST, 0)) as sock:
        return int(sock.getsockname()[1])


def prepare(env: dict[str, str]) -> None:
    """Migrate, create the demo's Cloud API lines (no messages) and import the default policies."""
    settings = Settings(home=Path(env["ATALAIA_HOME"]), database_url=env["ATALAIA_DATABASE_URL"], secret_key=KEY)
    runtime = Runtime.from_settings(settings)
    with transaction(runtime.sessions) as session:
        tenant = ensure_tenant(session, keyring=runtime.keyring)
        for line in simulated_lines(build_plan(seed=SEED), cloud=True):
            add_line(session, tenant_id=tenant.id, number=line.number, provider=line.provider.value,
                     phone_number_id=line.phone_number_id, team=line.team, timezone=line.timezone)  # fmt: skip
        import_default_policies(session, tenant_id=tenant.id, actor="bench")
    runtime.close()


def start_server(env: dict[str, str], port: int, log: Path, workers: int) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*ATALAIA, "serve", "--no-worker", "--workers", str(workers), "--host", HOST, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=out,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"atalaia serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=2, trust_env=False).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("atalaia serve did not answer /healthz within 60 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and of its live descendants (`--workers`), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children.update(int(c) for c in (task / "children").read_text().split())
    return own + sum(cpu_seconds(child) for child in children)


def wait_for_archive(env: dict[str, str], *, max_seconds: float) -> None:
    """Until no journal entry is pending: the background archive has caught up."""
    settings = Settings(home=Path(env["ATALAIA_HOME"]), database_url=env["ATALAIA_DATABASE_URL"], secret_key=KEY)
    runtime = Runtime.from_settings(settings, migrate=False)
    deadline = time.monotonic() + max_seconds
    try:
        while time.monotonic() < deadline:
            with runtime.sessions() as session:
                pending = session.execute(
                    select(func.count()).select_from(JournalEntry).where(JournalEntry.status == "pending")
                ).scalar_one()
            if not pending:
                return
            time.sleep(0.02)
    finally:
        runtime.close()
    raise RuntimeError(f"entries still pending after {max_seconds} s")


def run(backend: str, args: argparse.Namespace, duplicates: float, acknowledge: str) -> dict[str, Any]:
    plan = build_plan(seed=SEED)
    lines = simulated_lines(plan, cloud=True)
    stream = simulated_stream(plan, lines=lines, seed=SEED, messages=args.messages, days=args.days, end=END)
    work = list(deliveries(stream, builder=PayloadBuilder(plan), rng=random.Random(SEED), app_secret=SECRET,
                           batch=args.batch, duplicates=duplicates))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        url, pg_name = fresh_database(backend, Path(folder))
        env = {**os.environ, "ATALAIA_HOME": str(Path(folder) / "home"), "ATALAIA_DATABASE_URL": url,
               "ATALAIA_SECRET_KEY": KEY, "ATALAIA_CLOUD_APP_SECRET": SECRET,
               "ATALAIA_LOG_LEVEL": "WARNING", "ATALAIA_CLOUD_ACKNOWLEDGE": acknowledge}  # fmt: skip
        for name in ("ATALAIA_CLOUD_ACCESS_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env.pop(name, None)
        server = None
        try:
            prepare(env)
            port = free_port()
            server = start_server(env, port, Path(folder) / "serve.log", args.workers)
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            report = send_deliveries(work, url=f"http://{HOST}:{port}", concurrency=args.concurrency,
                                     max_seconds=args.max_seconds)  # fmt: skip
            answered = time.perf_counter() - started
            if acknowledge == "journaled":
                wait_for_archive(env, max_seconds=args.max_seconds)
                report.seconds = time.perf_counter() - started  # end to end: until the last one is archived
            server_cpu = cpu_seconds(server.pid) - cpu_before
            stats = json.loads(subprocess.run([*ATALAIA, "stats", "--json"], env=env, check=True,
                                              capture_output=True).stdout)  # fmt: skip
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            if pg_name:
                drop_database(pg_name)
    tally = report.as_dict()
    return {
        "backend": backend,
        "acknowledge": acknowledge,
        "duplicates": duplicates,
        "batch": args.batch,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "messages": tally["messages"],
        "events": tally["events"],
        "requests": tally["requests"],
        "duplicate_deliveries": tally["duplicate_deliveries"],
        "seconds": tally["seconds"],
        "seconds_until_last_answer": round(answered, 3),
        "messages_per_s": tally["messages_per_s"],
        "events_per_s": round(tally["events"] / max(tally["seconds"], 1e-9)),
        "requests_per_s": tally["requests_per_s"],
        "server_cpu_ms_per_message": round(1000 * server_cpu / max(tally["messages"], 1), 2),
        "rejected_or_failed": tally["rejected"] + tally["failed"],
        "stopped_early": tally["stopped_early"],
        "stored_messages": stats["messages"],
        # Answers after the journal carry no counts: then the archive's own count is the proof.
        "stored_once": stats["messages"] == tally["messages"]
        and (acknowledge == "journaled" or tally["new"] == tally["messages"]),
        "server_reported_duplicates": tally["duplicates"],
        "journal": stats["journal"],
    }


def in_process(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """The same bodies through `receive_cloud` directly, one after another: the rate without HTTP."""
    from atalaia.services.ingest import receive_cloud

    plan = build_plan(seed=SEED)
    stream = simulated_stream(plan, lines=simulated_lines(plan, cloud=True), seed=SEED, messages=args.messages,
                              days=args.days, end=END)  # fmt: skip
    work = list(deliveries(stream, builder=PayloadBuilder(plan), rng=random.Random(SEED), app_secret=SECRET,
                           batch=args.batch))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        url, pg_name = fresh_database(backend, Path(folder))
        try:
            env = {"ATALAIA_HOME": str(Path(folder) / "home"), "ATALAIA_DATABASE_URL": url}
            prepare(env)
            settings = Settings(home=Path(env["ATALAIA_HOME"]), database_url=url, secret_key=KEY,
                                cloud_app_secret=SECRET)  # fmt: skip
            runtime = Runtime.from_settings(settings, migrate=False)
            started = time.perf_counter()
            for item in work:
                receive_cloud(runtime, body=item.body, headers=item.headers)
            seconds = time.perf_counter() - started
            runtime.close()
        finally:
            if pg_name:
                drop_database(pg_name)
    messages = sum(d.messages for d in work)
    return {"backend": backend, "mode": "in-process receive_cloud, one at a time", "batch": args.batch,
            "messages": messages, "requests": len(work), "seconds": round(seconds, 2),
            "messages_per_s": round(messages / seconds, 1),
            "ms_per_request": round(1000 * seconds / len(work), 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--batch", type=int, default=4, help="most objects per Cloud API body")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="`atalaia serve --workers`: server processes")
    parser.add_argument("--duplicates", default="0,0.05", help="comma-separated shares of re-delivered bodies")
    parser.add_argument("--max-seconds", type=float, default=600, help="per run; sending stops there")
    parser.add_argument("--acknowledge", default="archived", help="comma-separated ATALAIA_CLOUD_ACKNOWLEDGE values")
    parser.add_argument("--in-process", action="store_true", help="also time receive_cloud without HTTP")
    args = parser.parse_args()
    if not 1 <= args.messages <= 2_000_000:
        parser.error("--messages must be within 1..2,000,000")
    for backend in args.backends.split(","):
        for acknowledge in args.acknowledge.split(","):
            if acknowledge not in ("archived", "journaled"):
                parser.error("--acknowledge takes archived and/or journaled")
            for share in args.duplicates.split(","):
                print(json.dumps(run(backend.strip(), args, float(share), acknowledge)), flush=True)
        if args.in_process:
            print(json.dumps(in_process(backend.strip(), args)), flush=True)


if __name__ == "__main__":
    main()
