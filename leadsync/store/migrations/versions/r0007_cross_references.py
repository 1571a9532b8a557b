"""Cross-references: the ids one CRM's record holds of another's, and merged-away records' survivors.

Revision ID: r0007
Revises: r0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0007"
down_revision = "r0006"
branch_labels = None
depends_on = None

_KEY = ("crm", "object_type", "record_id")


def _key(prefix: str = "") -> list[sa.Column[str]]:
    sizes = {"crm": 64, "object_type": 64, "record_id": 255}
    return [sa.Column(f"{prefix}{name}", sa.String(sizes[name]), nullable=False) for name in _KEY]


def upgrade() -> None:
    """Add `cross_references` and `merged_records` (existing links are left as they are)."""
    op.create_table(
        "cross_references",
        *_key(),
        *_key("target_"),
        sa.PrimaryKeyConstraint(*_KEY, *(f"target_{n}" for n in _KEY), name="pk_cross_references"),
    )
    op.create_index("ix_cross_references_target", "cross_references", [f"target_{n}" for n in _KEY])
    op.create_table(
        "merged_records",
        *_key(),
        *_key("survivor_"),
        sa.PrimaryKeyConstraint(*_KEY, name="pk_merged_records"),
    )
    op.create_index("ix_merged_records_survivor", "merged_records", [f"survivor_{n}" for n in _KEY])


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_index("ix_merged_records_survivor", table_name="merged_records")
    op.drop_table("merged_records")
    op.drop_index("ix_cross_references_target", table_name="cross_references")
    op.drop_table("cross_references")
