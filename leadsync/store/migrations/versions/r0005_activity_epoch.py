"""Activity epochs: each activity's time in seconds since 1970 UTC, kept beside `occurred_at`.

Revision ID: r0005
Revises: r0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from leadsync.model import epoch_of
from leadsync.store.types import UtcDateTime

revision = "r0005"
down_revision = "r0004"
branch_labels = None
depends_on = None

_BATCH = 1_000


def upgrade() -> None:
    """Add `occurred_epoch`, fill it for the activities already kept, then require it."""
    op.add_column("activities", sa.Column("occurred_epoch", sa.Double(), nullable=True))
    table = sa.table(
        "activities",
        sa.column("crm", sa.String()),
        sa.column("object_type", sa.String()),
        sa.column("record_id", sa.String()),
        sa.column("occurred_at", UtcDateTime()),
        sa.column("occurred_epoch", sa.Double()),
    )
    conn = op.get_bind()
    keys = (table.c.crm, table.c.object_type, table.c.record_id)
    fill = (
        sa.update(table)
        .where(
            table.c.crm == sa.bindparam("k_crm"),
            table.c.object_type == sa.bindparam("k_type"),
            table.c.record_id == sa.bindparam("k_id"),
        )
        .values(occurred_epoch=sa.bindparam("k_epoch"))
    )
    # Page by key (each page after the last key seen, on the primary key's index): the upgrade
    # holds one page of activities at a time, however many the store keeps.
    page = sa.select(*keys, table.c.occurred_at).order_by(*keys).limit(_BATCH)
    after: tuple[str, str, str] | None = None
    while rows := conn.execute(page if after is None else page.where(sa.tuple_(*keys) > after)).all():
        conn.execute(
            fill,
            [
                {"k_crm": crm, "k_type": object_type, "k_id": record_id, "k_epoch": epoch_of(at)}
                for crm, object_type, record_id, at in rows
            ],
        )
        after = tuple(rows[-1][:3])
    with op.batch_alter_table("activities") as batch:
        batch.alter_column("occurred_epoch", existing_type=sa.Double(), nullable=False)


def downgrade() -> None:
    """Drop what `upgrade` added."""
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("occurred_epoch")
