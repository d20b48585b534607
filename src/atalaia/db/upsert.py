"""INSERT ... ON CONFLICT DO NOTHING, the same on SQLite and PostgreSQL.

Idempotency lives in the database's unique constraints, not in a read-then-write race: two
workers archiving the same retried webhook both run this, and exactly one row results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict_columns: Sequence[str],
    returning: Sequence[str] = ("id",),
) -> list[Row[Any]]:
    """Insert rows, skip those that collide on `conflict_columns`; return the inserted ones."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(table)
        .on_conflict_do_nothing(index_elements=list(conflict_columns))
        .returning(*(table.c[name] for name in returning))
    )
    # SQLAlchemy's "insertmanyvalues" sends this as multi-row statements; RETURNING gives only
    # the rows actually inserted, so a collision is simply absent from the result.
    return list(session.execute(statement, list(rows)).all())
