"""Fresh databases for one benchmark run: a SQLite file in a folder, or a new PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("ATALAIA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fresh_database(backend: str, folder: Path) -> tuple[str, str | None]:
    """The URL to use, and the PostgreSQL database name to drop afterwards (None for SQLite)."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'atalaia.db'}", None
    name = f"atalaia_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
