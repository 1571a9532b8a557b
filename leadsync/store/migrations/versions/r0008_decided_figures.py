"""Each person's scoring profile, fit grade and review reason, as their last decision set them.

Revision ID: r0008
Revises: r0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0008"
down_revision = "r0007"
branch_labels = None
depends_on = None

_COLUMNS = ("profile", "grade", "review")


def upgrade() -> None:
    """Add the three columns to `people` (empty until the next decision)."""
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("profile", sa.String(64), nullable=True))
        batch.add_column(sa.Column("grade", sa.String(16), nullable=True))
        batch.add_column(sa.Column("review", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop what `upgrade` added."""
    with op.batch_alter_table("people") as batch:
        for column in reversed(_COLUMNS):
            batch.drop_column(column)
