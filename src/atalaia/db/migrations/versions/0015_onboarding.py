"""onboarding: usage-rule versions, invitations and acceptances

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29

Three new tables; nothing existing changes. See docs/decisions/0022-usage-rules-and-onboarding.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "usage_rule_versions",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", MOMENT, nullable=False),
        sa.Column("published_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_usage_rule_versions_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_rule_versions")),
        sa.UniqueConstraint("tenant_id", "version", name=op.f("uq_usage_rule_versions_tenant_id_version")),
    )
    with op.batch_alter_table("usage_rule_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_usage_rule_versions_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "invitations",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("employee_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.Column("superseded_at", MOMENT, nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("email_status", sa.String(length=20), nullable=False),
        sa.Column("email_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], name=op.f("fk_invitations_employee_id_employees")),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_invitations_line_id_lines")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_invitations_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index("ix_invitations_employee_created", ["employee_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitations_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "acceptances",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("employee_id", ID, nullable=False),
        sa.Column("version_id", ID, nullable=False),
        sa.Column("invitation_id", ID, nullable=True),
        sa.Column("accepted_at", MOMENT, nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], name=op.f("fk_acceptances_employee_id_employees")),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name=op.f("fk_acceptances_invitation_id_invitations")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_acceptances_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["usage_rule_versions.id"], name=op.f("fk_acceptances_version_id_usage_rule_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptances")),
        sa.UniqueConstraint("employee_id", "version_id", name=op.f("uq_acceptances_employee_id_version_id")),
    )
    with op.batch_alter_table("acceptances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acceptances_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("acceptances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acceptances_tenant_id"))
    op.drop_table("acceptances")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_tenant_id"))
        batch_op.drop_index("ix_invitations_employee_created")
    op.drop_table("invitations")
    with op.batch_alter_table("usage_rule_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usage_rule_versions_tenant_id"))
    op.drop_table("usage_rule_versions")
