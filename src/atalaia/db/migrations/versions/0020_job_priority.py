"""job priority: people-facing jobs before bulk work

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29

A notice to a third party or an alert e-mail waited behind every OCR and media job queued
before it (a demo load queues thousands). Existing rows become normal priority.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.SmallInteger(), server_default="1", nullable=False))
        batch_op.drop_index("ix_jobs_ready")
        batch_op.create_index("ix_jobs_ready", ["status", "priority", "run_after"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_ready")
        batch_op.create_index("ix_jobs_ready", ["status", "run_after"], unique=False)
        batch_op.drop_column("priority")
