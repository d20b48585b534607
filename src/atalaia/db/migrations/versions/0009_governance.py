"""governance: legal holds, retention rules, data-subject requests, purge and erasure records

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

Six new tables; nothing existing changes. `purges` and `erasures` are chained records, and
`tombstones` lists what each removed or rewrote. See docs/decisions/0018-retention-holds-erasure.md.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = atalaia.db.types.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _tenant_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_tenant_id"), ["tenant_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("line_id", ID, nullable=True),
        sa.Column("conversation_id", ID, nullable=True),
        sa.Column("employee_id", ID, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("starts_at", MOMENT, nullable=False),
        sa.Column("ends_at", MOMENT, nullable=True),
        sa.Column("released_at", MOMENT, nullable=True),
        sa.Column("released_by", sa.String(length=320), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        _fk("legal_holds", "conversation_id", "conversations"),
        _fk("legal_holds", "employee_id", "employees"),
        _fk("legal_holds", "line_id", "lines"),
        _fk("legal_holds", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    _tenant_index("legal_holds")
    op.create_table(
        "retention_rules",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=True),
        sa.Column("team_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("keep_days", sa.Integer(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        _fk("retention_rules", "line_id", "lines"),
        _fk("retention_rules", "team_id", "teams"),
        _fk("retention_rules", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_rules")),
    )
    _tenant_index("retention_rules")
    op.create_table(
        "subject_requests",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("contact_id", ID, nullable=True),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", MOMENT, nullable=False),
        sa.Column("due_at", MOMENT, nullable=False),
        sa.Column("completed_at", MOMENT, nullable=True),
        sa.Column("erased", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        _fk("subject_requests", "contact_id", "contacts"),
        _fk("subject_requests", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
    )
    _tenant_index("subject_requests")
    op.create_table(
        "purges",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        _fk("purges", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purges")),
    )
    _tenant_index("purges")
    op.create_table(
        "erasures",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("request_id", ID, nullable=True),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        _fk("erasures", "request_id", "subject_requests"),
        _fk("erasures", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    _tenant_index("erasures")
    op.create_table(
        "tombstones",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("batch_type", sa.String(length=20), nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("new_hash", sa.String(length=64), nullable=True),
        _fk("tombstones", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstones")),
    )
    with op.batch_alter_table("tombstones", schema=None) as batch_op:
        batch_op.create_index("ix_tombstones_batch", ["tenant_id", "batch_type", "batch_id"], unique=False)
        batch_op.create_index("ix_tombstones_record", ["tenant_id", "record_type", "record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tombstones", schema=None) as batch_op:
        batch_op.drop_index("ix_tombstones_record")
        batch_op.drop_index("ix_tombstones_batch")
    op.drop_table("tombstones")
    for table in ("erasures", "purges", "subject_requests", "retention_rules", "legal_holds"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_tenant_id"))
        op.drop_table(table)
