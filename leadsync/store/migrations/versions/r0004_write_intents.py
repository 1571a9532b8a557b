"""Write intents: the values a write under way means to leave, kept before it is sent.

Revision ID: r0004
Revises: r0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the write intents, one row per record and field."""
    op.create_table(
        "write_intents",
        sa.Column("crm", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("definitions_version", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", "field", name="pk_write_intents"),
    )


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_table("write_intents")
