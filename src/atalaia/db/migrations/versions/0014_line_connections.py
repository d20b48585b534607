"""line connections: Cloud API credentials and gateway addresses per line, sealed

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29

A new table; nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "line_connections",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=True),
        sa.Column("secrets_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("hints", sa.JSON(), nullable=False),
        sa.Column("verify_token_hash", sa.String(length=64), nullable=True),
        sa.Column("instance_created_at", MOMENT, nullable=True),
        sa.Column("qr_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("qr_at", MOMENT, nullable=True),
        sa.Column("checked_at", MOMENT, nullable=True),
        sa.Column("check_ok", sa.Boolean(), nullable=True),
        sa.Column("check_message", sa.String(length=300), nullable=True),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_line_connections_line_id_lines")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_line_connections_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_connections")),
        sa.UniqueConstraint("line_id", name=op.f("uq_line_connections_line_id")),
    )
    with op.batch_alter_table("line_connections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_connections_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_connections_verify_token_hash"), ["verify_token_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("line_connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_connections_verify_token_hash"))
        batch_op.drop_index(batch_op.f("ix_line_connections_tenant_id"))
    op.drop_table("line_connections")
