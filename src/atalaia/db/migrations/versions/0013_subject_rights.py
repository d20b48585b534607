"""subject rights: contact corrections, and journal entries redacted by erasure or retention

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

Adds `contact_corrections` (LGPD art. 18 III, previous values sealed), three nullable columns on
`contacts` (email, note, name_corrected_at) and four on `journal` (redacted_at, redacted_reason,
original_sha256, original_size). Existing rows keep NULL: nothing corrected, nothing redacted.
See docs/decisions/0020-subject-rights-journal-sqlcipher.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contact_corrections",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("contact_id", ID, nullable=False),
        sa.Column("request_id", ID, nullable=True),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_corrections_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["subject_requests.id"], name=op.f("fk_contact_corrections_request_id_subject_requests")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_contact_corrections_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_corrections")),
    )
    op.create_index(op.f("ix_contact_corrections_tenant_id"), "contact_corrections", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_contact_corrections_contact_id"), "contact_corrections", ["contact_id"], unique=False)
    op.add_column("contacts", sa.Column("email", sa.String(length=320), nullable=True))
    op.add_column("contacts", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("contacts", sa.Column("name_corrected_at", MOMENT, nullable=True))
    op.add_column("journal", sa.Column("redacted_at", MOMENT, nullable=True))
    op.add_column("journal", sa.Column("redacted_reason", sa.String(length=300), nullable=True))
    op.add_column("journal", sa.Column("original_sha256", sa.String(length=64), nullable=True))
    op.add_column("journal", sa.Column("original_size", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite drops columns by rebuilding the table (batch mode); PostgreSQL drops them in place.
    with op.batch_alter_table("journal") as batch:
        for name in ("original_size", "original_sha256", "redacted_reason", "redacted_at"):
            batch.drop_column(name)
    with op.batch_alter_table("contacts") as batch:
        for name in ("name_corrected_at", "note", "email"):
            batch.drop_column(name)
    op.drop_index(op.f("ix_contact_corrections_contact_id"), table_name="contact_corrections")
    op.drop_index(op.f("ix_contact_corrections_tenant_id"), table_name="contact_corrections")
    op.drop_table("contact_corrections")
