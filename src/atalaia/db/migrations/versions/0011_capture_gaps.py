"""capture gaps: periods in which a line may have missed messages

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

A new table; nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "capture_gaps",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("started_at", MOMENT, nullable=False),
        sa.Column("detected_at", MOMENT, nullable=False),
        sa.Column("ended_at", MOMENT, nullable=True),
        sa.Column("expected_messages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_capture_gaps_line_id_lines")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_capture_gaps_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capture_gaps")),
    )
    with op.batch_alter_table("capture_gaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capture_gaps_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_capture_gaps_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("capture_gaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capture_gaps_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_capture_gaps_line_id"))
    op.drop_table("capture_gaps")
