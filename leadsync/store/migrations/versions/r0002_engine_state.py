"""What the engine keeps to evaluate people without re-reading every CRM.

Each record's last mapped snapshot, every activity read, each person's decided stage and
owner, and whether an audited value was written (a shadow run audits without writing).

Revision ID: r0002
Revises: r0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add snapshots, activities, person state and the audit's `applied` flag."""
    with op.batch_alter_table("record_links") as table:
        table.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))
    with op.batch_alter_table("people") as table:
        table.add_column(sa.Column("stage", sa.String(32), nullable=True))
        table.add_column(sa.Column("stage_set_by", sa.String(16), nullable=True))
        table.add_column(sa.Column("stage_entered_at", _AT, nullable=True))
        table.add_column(sa.Column("owner", sa.String(254), nullable=True))
    with op.batch_alter_table("audit_log") as table:
        table.add_column(sa.Column("applied", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "activities",
        sa.Column("crm", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("person_crm", sa.String(64), nullable=False),
        sa.Column("person_object_type", sa.String(64), nullable=False),
        sa.Column("person_record_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("occurred_at", _AT, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", name="pk_activities"),
    )
    op.create_index(
        "ix_activities_person", "activities", ["person_crm", "person_object_type", "person_record_id"]
    )


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_index("ix_activities_person", table_name="activities")
    op.drop_table("activities")
    with op.batch_alter_table("audit_log") as table:
        table.drop_column("applied")
    with op.batch_alter_table("people") as table:
        for name in ("owner", "stage_entered_at", "stage_set_by", "stage"):
            table.drop_column(name)
    with op.batch_alter_table("record_links") as table:
        table.drop_column("snapshot")
