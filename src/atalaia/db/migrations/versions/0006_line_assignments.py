"""line assignments: who held each line, from when to when

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

A new table, filled with the current assignment of every line that has an employee (from the
line's creation: the best the earlier schema knew).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import atalaia.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "line_assignments",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=False),
        sa.Column("employee_id", ID, nullable=False),
        sa.Column("started_at", atalaia.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", atalaia.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_line_assignments_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(["line_id"], ["lines.id"], name=op.f("fk_line_assignments_line_id_lines")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_line_assignments_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_assignments")),
    )
    with op.batch_alter_table("line_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_assignments_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_assignments_line_id"), ["line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_assignments_tenant_id"), ["tenant_id"], unique=False)
    op.execute(
        "INSERT INTO line_assignments (tenant_id, line_id, employee_id, started_at) "
        "SELECT tenant_id, id, employee_id, created_at FROM lines WHERE employee_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("line_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_assignments_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_line_assignments_line_id"))
        batch_op.drop_index(batch_op.f("ix_line_assignments_employee_id"))
    op.drop_table("line_assignments")
