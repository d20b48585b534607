"""Search benchmark: latency of a query mix over N demo messages, and the index build time.

    .venv/bin/python bench/search.py [--messages 200000] [--backends sqlite,postgres] [--rounds 40]

1. Builds a fresh database per backend (SQLite file in a temp folder; a new PostgreSQL database
   on ATALAIA_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test) and
   loads the demo company with N messages through `load_demo` (seed 7): the archive indexes
   as it goes, so the load rate includes indexing.
2. Times `rebuild_index` for the tenant: the bulk-import path.
3. Draws queries from the archive's own words (seeded): single terms, quoted two-word phrases,
   terms filtered by line, last 30 days and direction, prefixes of 4 letters, and exclusions.
4. Runs each through `search` (limit 20, audit entry included, one transaction each, as the CLI
   does), after one warm-up round, and prints p50/p95 per kind and overall (SPEC.md target:
   p95 < 100 ms at 1M messages on SQLite and 10M on PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from atalaia.db.engine import transaction
from atalaia.db.models import Line, Message
from atalaia.runtime import Runtime
from atalaia.search import SearchFilters, rebuild_index, search
from atalaia.services.demo import load_demo
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from bench_databases import drop_database, fresh_database

SEED = 7
SAMPLE_TEXTS = 5_000
WORD = re.compile(r"[^\W\d_]{4,}")
KINDS = ("term", "phrase", "filtered", "prefix", "exclusion")


def query_mix(runtime: Runtime, tenant_id: int, rounds: int) -> list[tuple[str, str, SearchFilters]]:
    """`rounds` queries of each kind, drawn from the archive's words with a fixed seed."""
    rng = random.Random(SEED)
    with runtime.sessions() as session:
        texts = [
            t
            for t in session.execute(
                select(Message.text)
                .where(Message.tenant_id == tenant_id, Message.text.is_not(None))
                .limit(SAMPLE_TEXTS)
            ).scalars()
            if t
        ]
        lines = list(session.execute(select(Line.id).where(Line.tenant_id == tenant_id)).scalars())
        newest = session.execute(select(func.max(Message.sent_at)).where(Message.tenant_id == tenant_id)).scalar_one()
    counts = Counter(word.lower() for t in texts for word in WORD.findall(t))
    vocabulary = [word for word, _ in counts.most_common(400)]
    pairs = [(a, b) for t in texts for a, b in zip(WORD.findall(t), WORD.findall(t)[1:], strict=False) if a and b] or [
        ("bom", "dia")
    ]
    since = (newest or datetime.now(UTC)) - timedelta(days=30)
    mix: list[tuple[str, str, SearchFilters]] = []
    for _ in range(rounds):
        mix.append(("term", rng.choice(vocabulary), SearchFilters()))
        a, b = rng.choice(pairs)
        mix.append(("phrase", f'"{a} {b}"', SearchFilters()))
        mix.append(
            (
                "filtered",
                rng.choice(vocabulary[:50]),
                SearchFilters(
                    line_ids=[rng.choice(lines)], sent_from=since, direction=rng.choice(["inbound", "outbound"])
                ),
            )
        )
        mix.append(("prefix", rng.choice(vocabulary)[:4] + "*", SearchFilters()))
        mix.append(("exclusion", f"{rng.choice(vocabulary)} -{rng.choice(vocabulary)}", SearchFilters()))
    return mix


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(backend: str, messages: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url, pg_name = fresh_database(backend, Path(folder))
        try:
            settings = Settings(home=Path(folder) / "home", database_url=url, secret_key="b" * 40)
            runtime = Runtime.from_settings(settings)
            started = time.perf_counter()
            summary = load_demo(runtime, messages=messages, seed=SEED)
            load_seconds = time.perf_counter() - started
            with transaction(runtime.sessions) as session:
                tenant = ensure_tenant(session, keyring=runtime.keyring)
            started = time.perf_counter()
            with transaction(runtime.sessions) as session:
                indexed = rebuild_index(session, tenant.id)
            rebuild_seconds = time.perf_counter() - started
            if backend == "postgres":  # the steady state autovacuum reaches after a bulk load
                with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))

            mix = query_mix(runtime, tenant.id, rounds)
            latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
            totals: dict[str, list[int]] = {kind: [] for kind in KINDS}
            for warm_up in (True, False):
                for kind, query, filters in mix:
                    started = time.perf_counter()
                    with transaction(runtime.sessions) as session:
                        result = search(session, tenant_id=tenant.id, query=query, actor="bench", filters=filters)
                    elapsed = (time.perf_counter() - started) * 1000
                    if not warm_up:
                        latencies[kind].append(elapsed)
                        totals[kind].append(result.total)
            runtime.close()
        finally:
            if pg_name:
                drop_database(pg_name)
    every = [ms for values in latencies.values() for ms in values]
    report: dict[str, Any] = {
        "backend": backend,
        "messages": summary.result.new,
        "load_per_s": round(summary.result.new / load_seconds),
        "rebuild_index_s": round(rebuild_seconds, 1),
        "rebuild_per_s": round(indexed / rebuild_seconds),
        "queries": len(every),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
    }
    for kind in KINDS:
        report[kind] = {
            "p50_ms": round(statistics.median(latencies[kind]), 1),
            "p95_ms": round(percentile(latencies[kind], 0.95), 1),
            "median_total": round(statistics.median(totals[kind])),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=40, help="queries of each kind")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        print(json.dumps(run(backend.strip(), args.messages, args.rounds)), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
