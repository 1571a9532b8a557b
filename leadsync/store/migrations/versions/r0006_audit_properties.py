"""Audit of CRM properties: each raw property value a run replaced and wrote, for exact rollbacks.

Revision ID: r0006
Revises: r0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0006"
down_revision = "r0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add `audit_properties`, one row per property a run set."""
    op.create_table(
        "audit_properties",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("crm", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("property", sa.String(255), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_audit_properties_run_id_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_properties"),
    )
    op.create_index("ix_audit_properties_run_id", "audit_properties", ["run_id"])
    op.create_index("ix_audit_properties_record", "audit_properties", ["crm", "object_type", "record_id"])


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_index("ix_audit_properties_record", table_name="audit_properties")
    op.drop_index("ix_audit_properties_run_id", table_name="audit_properties")
    op.drop_table("audit_properties")
