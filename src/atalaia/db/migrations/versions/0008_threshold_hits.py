"""threshold hits: hits below a rule's threshold are kept without an alert

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

`alert_hits.alert_id` becomes nullable (a pending hit) and an index finds a rule's earlier hits
by time; existing rows keep their alert. See docs/decisions/0015-alert-thresholds.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("alert_hits", schema=None) as batch_op:
        batch_op.alter_column("alert_id", existing_type=ID, nullable=True)
        batch_op.create_index("ix_alert_hits_rule_at", ["tenant_id", "policy", "rule", "at"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM alert_hits WHERE alert_id IS NULL")  # pending hits have nowhere to go
    with op.batch_alter_table("alert_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_hits_rule_at")
        batch_op.alter_column("alert_id", existing_type=ID, nullable=False)
