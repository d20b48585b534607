"""Archive ingestion benchmark: the archive service next to raw executemany, same rows, same run.

    .venv/bin/python bench/archive_ingest.py [--messages 50000] [--backends sqlite,postgres]

1. Builds a fresh database per backend (SQLite file in a temp folder; a new PostgreSQL database
   on ATALAIA_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test).
2. Archives N demo messages (with their edits, reactions, statuses and media) through
   `archive_events` in batches of 500, one transaction each: upserts, blobs, hash chain.
3. Inserts the same message rows again, under new provider ids, with the driver's plain
   `executemany` into the same `messages` table, 500 per transaction: the raw rate.
4. Prints messages/s for both and their ratio (target in SPEC.md: >= 0.5 for bulk work).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.db.models import Line, Message
from atalaia.demo import build_plan, iter_events
from atalaia.domain.events import ArchiveEvent, MessageEvent
from atalaia.runtime import Runtime
from atalaia.services.lines import add_line
from atalaia.services.tenancy import ensure_tenant
from atalaia.settings import Settings
from bench_databases import drop_database, fresh_database

BATCH = 500
END = date(2026, 11, 1)  # fixed so every run archives the same events
COLUMNS = (
    "tenant_id", "line_id", "conversation_id", "provider_message_id", "direction", "author_contact_id",
    "author_name", "kind", "text", "sent_at", "received_at", "reply_to", "forwarded", "frequently_forwarded",
    "referral", "raw",
)  # fmt: skip


def batches(messages: int, *, only_messages: bool) -> list[tuple[str, list[ArchiveEvent]]]:
    """Demo events grouped per line into batches, generated before timing starts.

    `only_messages` keeps text messages alone (no statuses, edits, reactions or media), the
    like-for-like comparison with inserting message rows; the full mix is the realistic load.
    """
    plan = build_plan(seed=7)
    pending: dict[str, list[ArchiveEvent]] = {}
    out: list[tuple[str, list[ArchiveEvent]]] = []
    for line, event in iter_events(plan, seed=7, messages=messages, days=90, end=END):
        if only_messages and not (isinstance(event, MessageEvent) and not event.attachments):
            continue
        batch = pending.setdefault(line.number, [])
        batch.append(event)
        if len(batch) >= BATCH:
            out.append((line.number, batch))
            pending[line.number] = []
    out.extend((number, batch) for number, batch in pending.items() if batch)
    return out


def run(backend: str, messages: int, *, only_messages: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url, pg_name = fresh_database(backend, Path(folder))
        try:
            settings = Settings(home=Path(folder) / "home", database_url=url, secret_key="b" * 40)
            runtime = Runtime.from_settings(settings)
            plan = build_plan(seed=7)
            with transaction(runtime.sessions) as session:
                tenant = ensure_tenant(session, keyring=runtime.keyring)
                for line in plan.lines:
                    add_line(session, tenant_id=tenant.id, number=line.number, provider=line.provider.value,
                             phone_number_id=line.phone_number_id, instance=line.instance, team=line.team)  # fmt: skip
            with runtime.sessions() as session:
                line_ids = dict(session.execute(select(Line.number, Line.id)).all())
            work = batches(messages, only_messages=only_messages)
            count = sum(isinstance(e, MessageEvent) for _, batch in work for e in batch)
            events = sum(len(batch) for _, batch in work)

            started = time.perf_counter()
            for number, batch in work:
                with transaction(runtime.sessions) as session:
                    archive_events(session, runtime.archive_context(tenant, line_id=line_ids[number]), batch)
            archive_seconds = time.perf_counter() - started

            with runtime.sessions() as session:
                rows = [dict(r._mapping) for r in session.execute(select(*(getattr(Message, c) for c in COLUMNS)))]
            raw_seconds = raw_insert(runtime, rows)
            runtime.close()
        finally:
            if pg_name:
                drop_database(pg_name)
    archive_rate, raw_rate = count / archive_seconds, len(rows) / raw_seconds
    return {
        "backend": backend,
        "mix": "messages only" if only_messages else "full demo",
        "messages": count,
        "events": events,
        "archive_per_s": round(archive_rate),
        "raw_executemany_per_s": round(raw_rate),
        "ratio": round(archive_rate / raw_rate, 2),
    }


def raw_insert(runtime: Runtime, rows: list[dict[str, Any]]) -> float:
    """The same rows through the DBAPI's executemany, 500 per transaction, new provider ids."""
    dialect = runtime.engine.dialect.name
    marks = ", ".join("?" if dialect == "sqlite" else "%s" for _ in COLUMNS)
    sql = f"INSERT INTO messages ({', '.join(COLUMNS)}) VALUES ({marks})"
    prepared = []
    for row in rows:
        values = dict(row, provider_message_id=row["provider_message_id"] + "-raw")
        for key in ("referral", "raw"):
            values[key] = None if values[key] is None else json.dumps(values[key])
        if dialect == "sqlite":
            for key in ("sent_at", "received_at"):
                values[key] = values[key].replace(tzinfo=None).isoformat(sep=" ")
        prepared.append(tuple(values[c] for c in COLUMNS))
    connection = runtime.engine.raw_connection()
    try:
        started = time.perf_counter()
        for start in range(0, len(prepared), BATCH):
            cursor = connection.cursor()
            if dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(sql, prepared[start : start + BATCH])
            connection.commit()
            cursor.close()
        return time.perf_counter() - started
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        for only_messages in (True, False):
            print(json.dumps(run(backend.strip(), args.messages, only_messages=only_messages)), flush=True)


if __name__ == "__main__":
    main()
