"""Migrations build the schema from empty on both databases, match the models, and go back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from atalaia.db.migrate import downgrade, upgrade
from atalaia.db.models import Base


def _not_search_index(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """The search index is engine-specific SQL (FTS5, tsvector) kept outside the models on purpose."""
    table = getattr(obj, "table", obj)
    return not str(getattr(table, "name", name) or "").startswith("message_search")


def test_migrations_match_the_models(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _not_search_index})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_migrations_run_from_empty_and_back(db_url: str) -> None:
    engine = create_engine(db_url)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {"messages", "chain_links", "audit_log", "journal"} <= set(inspect(engine).get_table_names())
    engine.dispose()
