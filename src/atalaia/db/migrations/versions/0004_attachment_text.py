"""attachment text: what was extracted from each attachment's bytes, or why nothing was

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08

One new table; nothing existing changes. Attachments archived before this revision get no
extraction job here (a migration should not queue hours of OCR): see
docs/decisions/0009-attachment-text.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment_texts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("attachment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("extracted_at", atalaia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_attachment_texts_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_attachment_texts_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_texts")),
        sa.UniqueConstraint("tenant_id", "attachment_id", name=op.f("uq_attachment_texts_tenant_id_attachment_id")),
    )
    with op.batch_alter_table("attachment_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_texts_attachment_id"), ["attachment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachment_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_texts_attachment_id"))

    op.drop_table("attachment_texts")
