"""Analytics benchmark: rollups versus scanning the archive, and what the rollups cost on ingest.

    .venv/bin/python bench/analytics.py [--messages 1000000] [--ingest 20000] [--backends sqlite,postgres]

1. Ingest cost: archives the same `--ingest` demo text messages through `archive_events` (batches
   of 500, one transaction each) into two fresh databases, with the rollup upsert and with it
   switched off, and prints microseconds per message for both (the difference is the rollups').
2. Scale: into the first database, inserts `--messages` more message rows straight into
   `messages` (spread over 90 days, the demo's lines and chats, a realistic mix of kinds), then
   times `atalaia analytics rebuild` (the rollups of it all, from scratch).
3. Query latency: the dashboard's volume figures (messages in/out, media, groups, heat map,
   after-hours) for the tenant, a team and a line over 7 and 90 days, from the rollups
   (`hour_buckets`) and by scanning (`scan_hour_buckets`); median of 5 runs; the two answers are
   checked equal.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

import atalaia.archive.writer as writer
from archive_ingest import END, batches
from atalaia.analytics import Period, Scope, resolve_scope
from atalaia.analytics.buckets import HourBucket, hour_buckets, scan_hour_buckets
from atalaia.analytics.rebuild import rebuild_rollups
from atalaia.analytics.report import _hours_for
from atalaia.analytics.volumes import Volumes, fold_buckets
from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.db.models import Conversation, Line, Team, Tenant
from atalaia.demo import build_plan
from atalaia.domain.events import MessageEvent
from atalaia.runtime import Runtime
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from bench_databases import drop_database, fresh_database

CHUNK = 10_000
KINDS = ["text"] * 80 + ["image"] * 8 + ["audio"] * 6 + ["document"] * 3 + ["video", "sticker", "system"]
COLUMNS = ("tenant_id", "line_id", "conversation_id", "provider_message_id", "direction", "kind", "text",
           "sent_at", "received_at", "forwarded", "frequently_forwarded")  # fmt: skip
REPEAT = 5


@contextmanager
def database(backend: str) -> Iterator[tuple[Runtime, Tenant]]:
    """A fresh database with the demo's tenant and lines."""
    with tempfile.TemporaryDirectory() as folder:
        url, pg_name = fresh_database(backend, Path(folder))
        runtime = Runtime.from_settings(Settings(home=Path(folder) / "home", database_url=url, secret_key="b" * 40))
        try:
            with transaction(runtime.sessions) as session:
                tenant = ensure_tenant(session, keyring=runtime.keyring)
                for line in build_plan(seed=7).lines:
                    add_line(session, tenant_id=tenant.id, number=line.number, provider=line.provider.value,
                             phone_number_id=line.phone_number_id, instance=line.instance, team=line.team)  # fmt: skip
            yield runtime, tenant
        finally:
            runtime.close()
            if pg_name:
                drop_database(pg_name)


def ingest(runtime: Runtime, tenant: Tenant, messages: int) -> float:
    """Microseconds per archived message."""
    with runtime.sessions() as session:
        line_ids = dict(session.execute(select(Line.number, Line.id)).all())
    work = batches(messages, only_messages=True)
    count = sum(isinstance(e, MessageEvent) for _, batch in work for e in batch)
    started = time.perf_counter()
    for number, batch in work:
        with transaction(runtime.sessions) as session:
            archive_events(session, runtime.archive_context(tenant, line_id=line_ids[number]), batch)
    return (time.perf_counter() - started) / count * 1e6


def bulk_insert(runtime: Runtime, tenant: Tenant, messages: int) -> None:
    """Message rows straight into the table, as a bulk load outside `archive_events` would."""
    rng = random.Random(7)
    with runtime.sessions() as session:
        chats = session.execute(select(Conversation.id, Conversation.line_id).order_by(Conversation.id)).all()
    dialect = runtime.engine.dialect.name
    sql = f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({', '.join(('?' if dialect == 'sqlite' else '%s') for _ in COLUMNS)})"  # noqa: E501
    start = datetime.combine(END, datetime.min.time(), tzinfo=UTC) - timedelta(days=90)
    connection = runtime.engine.raw_connection()
    try:
        for first in range(0, messages, CHUNK):
            rows = []
            for n in range(first, min(first + CHUNK, messages)):
                chat, line = rng.choice(chats)
                sent = start + timedelta(seconds=rng.randint(0, 90 * 86400 - 1))
                moment: Any = sent.replace(tzinfo=None).isoformat(sep=" ") if dialect == "sqlite" else sent
                rows.append((tenant.id, line, chat, f"bulk-{n}", rng.choice(["inbound", "outbound"]),
                             rng.choice(KINDS), "x", moment, moment, False, False))  # fmt: skip
            cursor = connection.cursor()
            cursor.executemany(sql, rows)
            connection.commit()
            cursor.close()
    finally:
        connection.close()


def median_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), result


def latency(runtime: Runtime, tenant: Tenant) -> list[dict[str, Any]]:
    out = []
    end = datetime.combine(END, datetime.min.time(), tzinfo=UTC)
    with runtime.sessions() as session:
        team, number = session.execute(select(Line.team_id, Line.number).order_by(Line.id)).first() or (None, None)
        hours_for = _hours_for(session, tenant.id)
        team_name = session.execute(select(Team.name).where(Team.id == team)).scalar_one()
        scopes = {
            "tenant": Scope(tenant.id),
            "team": resolve_scope(session, tenant_id=tenant.id, team=team_name),
            "line": resolve_scope(session, tenant_id=tenant.id, line=number),
        }
        for days in (7, 90):
            period = Period(end - timedelta(days=days), end, "America/Sao_Paulo")
            for name, scope in scopes.items():

                def fold(read: Callable[..., Iterator[HourBucket]], s: Scope = scope, p: Period = period) -> Volumes:
                    return fold_buckets(read(session, s, p), hours_for)

                rollup_ms, from_rollups = median_ms(lambda: fold(hour_buckets))
                scan_ms, from_scan = median_ms(lambda: fold(scan_hour_buckets))
                if from_rollups != from_scan:
                    raise SystemExit(f"rollups and scan disagree for {name} over {days} days")
                out.append({"scope": name, "days": days, "messages": from_scan.total,
                            "rollups_ms": rollup_ms, "scan_ms": scan_ms})  # fmt: skip
    return out


def ingest_cost(backend: str, messages: int) -> dict[str, Any]:
    """Without and with the rollup upsert, twice each, alternating, in fresh databases; the best of each."""
    best: dict[bool, float] = {}
    original = writer.rollups.add_messages
    for hooked in (False, True, False, True):
        with database(backend) as (runtime, tenant):
            if not hooked:
                writer.rollups.add_messages = lambda *_args, **_kwargs: None  # type: ignore[assignment]
            try:
                cost = ingest(runtime, tenant, messages)
            finally:
                writer.rollups.add_messages = original  # type: ignore[assignment]
        best[hooked] = min(cost, best.get(hooked, cost))
    return {"ingested": messages, "us_per_message_with_rollups": round(best[True]),
            "us_per_message_without": round(best[False]), "rollup_us_per_message": round(best[True] - best[False]),
            "rollup_share": round((best[True] - best[False]) / best[False], 3)}  # fmt: skip


def run(backend: str, messages: int, ingest_messages: int) -> None:
    print(json.dumps({"backend": backend, **ingest_cost(backend, ingest_messages)}), flush=True)
    with database(backend) as (runtime, tenant):
        ingest(runtime, tenant, ingest_messages)  # the demo's chats, for the bulk rows to belong to
        started = time.perf_counter()
        bulk_insert(runtime, tenant, messages)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        summary = rebuild_rollups(runtime, tenant=tenant)
        rebuilt = time.perf_counter() - started
        figures = {"bulk_loaded": messages, "load_s": round(loaded, 1),
                   "rebuild_messages": summary.messages, "rebuild_s": round(rebuilt, 1)}  # fmt: skip
        print(json.dumps({"backend": backend, **figures}), flush=True)
        for row in latency(runtime, tenant):
            print(json.dumps({"backend": backend, **row}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--ingest", type=int, default=20_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        run(backend.strip(), args.messages, args.ingest)


if __name__ == "__main__":
    main()
