"""totp: a second factor for console sign-in, and each user's last sign-in

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Two new tables (the sealed TOTP secret with the last accepted time step, and argon2-hashed
recovery codes) and a nullable column on users; nothing existing changes. Users already have
`is_active`, which is what disabling a user sets. See docs/decisions/0017-totp.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", MOMENT, nullable=True))
    op.create_table(
        "totp_credentials",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("confirmed_at", MOMENT, nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_totp_credentials_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_totp_credentials_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_totp_credentials")),
    )
    with op.batch_alter_table("totp_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_totp_credentials_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "totp_recovery_codes",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("selector", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_totp_recovery_codes_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_totp_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totp_recovery_codes")),
    )
    with op.batch_alter_table("totp_recovery_codes", schema=None) as batch_op:
        batch_op.create_index("ix_totp_recovery_codes_user_selector", ["user_id", "selector"], unique=False)
        batch_op.create_index(batch_op.f("ix_totp_recovery_codes_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("totp_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_totp_recovery_codes_tenant_id"))
        batch_op.drop_index("ix_totp_recovery_codes_user_selector")
    op.drop_table("totp_recovery_codes")
    with op.batch_alter_table("totp_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_totp_credentials_tenant_id"))
    op.drop_table("totp_credentials")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
