"""case evidence and employee notice templates

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29

Two new tables; nothing existing changes. See docs/decisions/0024-case-evidence-and-employee-notice.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_evidence",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("alert_id", ID, nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("real_type", sa.String(length=40), nullable=True),
        sa.Column("declared_type", sa.String(length=40), nullable=True),
        sa.Column("type_mismatch", sa.Boolean(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=320), nullable=False),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("uploaded_at", MOMENT, nullable=False),
        sa.Column("withdrawn_at", MOMENT, nullable=True),
        sa.Column("withdrawn_by", sa.String(length=320), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_case_evidence_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_case_evidence_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_evidence_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evidence")),
    )
    with op.batch_alter_table("case_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_evidence_alert_id"), ["alert_id"], unique=False)
    op.create_table(
        "employee_notice_templates",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_employee_notice_templates_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_notice_templates")),
        sa.UniqueConstraint("tenant_id", "version", name=op.f("uq_employee_notice_templates_tenant_id_version")),
    )


def downgrade() -> None:
    op.drop_table("employee_notice_templates")
    with op.batch_alter_table("case_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_evidence_alert_id"))
    op.drop_table("case_evidence")
