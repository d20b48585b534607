"""notices: the notice to third parties, and each tenant's notice and privacy texts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

A new table and nullable (or defaulted) columns on tenants; nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notice_template", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("notice_language", sa.String(length=20), nullable=False, server_default="pt_BR"))
        batch_op.add_column(sa.Column("notice_every_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("privacy_text", sa.Text(), nullable=True))
    op.create_table(
        "notices",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=False),
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("conversation_id", ID, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_notices_contact_id_contacts")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name=op.f("fk_notices_conversation_id_conversations")
        ),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_notices_line_id_lines")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_notices_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_line_contact", ["line_id", "contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_provider_message_id"), ["provider_message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_notices_provider_message_id"))
        batch_op.drop_index("ix_notices_line_contact")
    op.drop_table("notices")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("privacy_text")
        batch_op.drop_column("notice_every_days")
        batch_op.drop_column("notice_language")
        batch_op.drop_column("notice_template")
        batch_op.drop_column("notice_text")
