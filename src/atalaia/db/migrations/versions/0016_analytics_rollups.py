"""analytics rollups: message counts per line and UTC hour

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29

One new table, filled from the messages already archived so an upgraded install shows the same
figures at once. See docs/decisions/0023-analytics-rollups.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)

# The same hour as analytics/rollups.py computes, frozen here so later code changes do not alter history.
_HOUR = {
    "postgresql": "timezone('UTC', date_trunc('hour', timezone('UTC', m.sent_at)))",
    "sqlite": "strftime('%Y-%m-%d %H:00:00.000000', m.sent_at)",
}


def upgrade() -> None:
    op.create_table(
        "message_rollups",
        sa.Column("line_id", ID, nullable=False),
        sa.Column("hour", MOMENT, nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("message_kind", sa.String(length=20), nullable=False),
        sa.Column("conversation_kind", sa.String(length=10), nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_message_rollups_line_id_lines")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_message_rollups_tenant_id_tenants")),
        sa.PrimaryKeyConstraint(
            "line_id", "hour", "direction", "message_kind", "conversation_kind", name=op.f("pk_message_rollups")
        ),
    )
    op.create_index("ix_message_rollups_tenant_hour", "message_rollups", ["tenant_id", "hour"], unique=False)
    hour = _HOUR["postgresql" if op.get_bind().dialect.name == "postgresql" else "sqlite"]
    # `hour` is one of the two constants above: nothing from outside reaches this SQL.
    op.execute(
        "INSERT INTO message_rollups (line_id, hour, direction, message_kind, conversation_kind, tenant_id, count) "  # noqa: S608
        f"SELECT m.line_id, {hour}, m.direction, m.kind, c.kind, m.tenant_id, count(*) "
        "FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.kind != 'system' "
        f"GROUP BY m.line_id, {hour}, m.direction, m.kind, c.kind, m.tenant_id"
    )


def downgrade() -> None:
    op.drop_index("ix_message_rollups_tenant_hour", table_name="message_rollups")
    op.drop_table("message_rollups")
