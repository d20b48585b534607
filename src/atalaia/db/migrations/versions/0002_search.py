"""full-text search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

SQLite: an FTS5 table `message_search(body, stems)` (unicode61, remove_diacritics 2).
PostgreSQL: the `unaccent` extension, an IMMUTABLE `atalaia_unaccent` wrapper (plain `unaccent`
is only STABLE, as its dictionary could change, so it cannot sit in an index expression or a
generated column), and `message_search` with a `portuguese` and a `simple`+unaccent tsvector,
each with a GIN index. The tables are derived data, outside the models (Alembic's
autogenerate does not know FTS5); docs/decisions/0006-search.md.

Existing messages are indexed here by the search package itself, tenant by tenant: the index
must be what the current code would build, and the stems come from Python.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = """
CREATE VIRTUAL TABLE message_search USING fts5(
    body, stems, tokenize = 'unicode61 remove_diacritics 2'
)
"""

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # Schema-qualified so that a caller's search_path cannot swap the function or dictionary.
    """
    CREATE OR REPLACE FUNCTION atalaia_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$
    """,
    """
    CREATE TABLE message_search (
        message_id BIGINT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        tenant_id BIGINT NOT NULL REFERENCES tenants (id),
        -- Copies of messages' line, time and direction: the usual filters and the tie-break then
        -- need no join (docs/decisions/0006-search.md).
        line_id BIGINT NOT NULL,
        sent_at TIMESTAMPTZ NOT NULL,
        direction VARCHAR(10) NOT NULL,
        tsv_pt TSVECTOR NOT NULL,
        tsv_simple TSVECTOR NOT NULL
    )
    """,
    "CREATE INDEX ix_message_search_tsv_pt ON message_search USING GIN (tsv_pt)",
    "CREATE INDEX ix_message_search_tsv_simple ON message_search USING GIN (tsv_simple)",
    "CREATE INDEX ix_message_search_tenant_id ON message_search (tenant_id)",
]

POSTGRES_DOWN = [
    "DROP TABLE IF EXISTS message_search",
    "DROP FUNCTION IF EXISTS atalaia_unaccent(text)",
    # The unaccent extension stays: other software in the database may use it.
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema = bind.execute(
            sa.text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'unaccent'"
            )
        ).scalar_one()
        for statement in POSTGRES_UP[1:]:
            op.execute(statement.replace("{schema}", _quote_ident(schema)))
    elif bind.dialect.name == "sqlite":
        op.execute(SQLITE_UP)
    else:  # pragma: no cover - make_engine accepts only these two
        raise NotImplementedError(bind.dialect.name)
    _index_existing(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP TABLE IF EXISTS message_search")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _index_existing(bind: sa.Connection) -> None:
    from atalaia.search import rebuild_index

    tenants = bind.execute(sa.text("SELECT DISTINCT tenant_id FROM messages ORDER BY tenant_id")).scalars().all()
    if not tenants:
        return
    # Joins the migration's transaction; closing the session neither commits nor rolls it back.
    with Session(bind=bind) as session:
        for tenant_id in tenants:
            rebuild_index(session, tenant_id, extracted=False)  # attachment_texts comes with 0004
        session.flush()
