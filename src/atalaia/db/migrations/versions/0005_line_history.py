"""line history: how far a Coexistence number's history backfill has come

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Three nullable columns on lines; nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_phase", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("history_progress", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("history_updated_at", atalaia.db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lines", schema=None) as batch_op:
        batch_op.drop_column("history_updated_at")
        batch_op.drop_column("history_progress")
        batch_op.drop_column("history_phase")
