"""step-in messages sent from the console

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29

One new table, `step_ins`: which console user sent which outbound message (by its provider id on
its line). Nothing existing changes. See docs/decisions/0025-console-policies-live-view-step-in.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "step_ins",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=False),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("sent_by", sa.String(length=320), nullable=False),
        sa.Column("sent_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_step_ins_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_step_ins_line_id_lines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_ins")),
        sa.UniqueConstraint("line_id", "provider_message_id", name="uq_step_ins_line_message"),
    )
    op.create_index("ix_step_ins_conversation", "step_ins", ["tenant_id", "conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_step_ins_conversation", table_name="step_ins")
    op.drop_table("step_ins")
