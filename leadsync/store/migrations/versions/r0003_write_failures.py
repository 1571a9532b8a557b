"""Records whose last write failed: the CRM's error code and message, and how often it failed.

Revision ID: r0003
Revises: r0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the write failures, one row per record."""
    op.create_table(
        "write_failures",
        sa.Column("crm", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", _AT, nullable=False),
        sa.Column("last_failed_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", name="pk_write_failures"),
    )


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_table("write_failures")
