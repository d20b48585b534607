"""weekly report e-mails: one row per manager, team and week

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29

One new table, `weekly_reports`, whose unique (user, team, week) key lets only one worker send each
weekly e-mail, and records how its delivery went. Nothing existing changes.
See docs/decisions/0026-pdf-and-weekly-reports.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "weekly_reports",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("team_id", ID, nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", MOMENT, nullable=False),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_weekly_reports_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_weekly_reports_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_weekly_reports_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_reports")),
        sa.UniqueConstraint("user_id", "team_id", "week_start", name="uq_weekly_reports_user_team_week"),
    )
    op.create_index(op.f("ix_weekly_reports_tenant_id"), "weekly_reports", ["tenant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_weekly_reports_tenant_id"), table_name="weekly_reports")
    op.drop_table("weekly_reports")
