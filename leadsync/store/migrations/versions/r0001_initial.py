"""The first state store: cursors, people and links, values, history, runs, audit, quarantine.

Revision ID: r0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def _record_key() -> list[sa.Column[str]]:
    return [
        sa.Column("crm", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
    ]


def upgrade() -> None:
    """Create every table of the first schema."""
    op.create_table(
        "cursors",
        sa.Column("crm", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("stamp", _AT, nullable=False),
        sa.Column("record_id", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("crm", "stream", name="pk_cursors"),
    )
    op.create_table(
        "people",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("reevaluate_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("email", name="uq_people_email"),
    )
    op.create_index("ix_people_reevaluate_at", "people", ["reevaluate_at"])
    op.create_table(
        "record_links",
        *_record_key(),
        sa.Column("person_id", _ID, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", name="pk_record_links"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_record_links_person_id_people"),
    )
    op.create_index("ix_record_links_person_id", "record_links", ["person_id"])
    op.create_index("ix_record_links_email", "record_links", ["email"])
    op.create_table(
        "record_values",
        *_record_key(),
        sa.Column("last_read", sa.JSON(), nullable=True),
        sa.Column("read_at", _AT, nullable=True),
        sa.Column("last_written", sa.JSON(), nullable=True),
        sa.Column("written_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", name="pk_record_values"),
    )
    op.create_table(
        "round_robin",
        sa.Column("territory", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("territory", name="pk_round_robin"),
    )
    op.create_table(
        "stage_history",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("person_id", _ID, nullable=False),
        sa.Column("from_stage", sa.String(32), nullable=True),
        sa.Column("to_stage", sa.String(32), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("set_by", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stage_history"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_stage_history_person_id_people"),
    )
    op.create_index("ix_stage_history_person_id", "stage_history", ["person_id"])
    op.create_index("ix_stage_history_at", "stage_history", ["at"])
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("pipeline", sa.String(128), nullable=False),
        sa.Column("started_at", _AT, nullable=False),
        sa.Column("finished_at", _AT, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("api_calls", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        *_record_key(),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("definitions_version", sa.String(128), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_audit_log_run_id_runs"),
    )
    op.create_index("ix_audit_log_run_id", "audit_log", ["run_id"])
    op.create_index("ix_audit_log_record", "audit_log", ["crm", "object_type", "record_id"])
    op.create_table(
        "quarantine",
        *_record_key(),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("first_seen_at", _AT, nullable=False),
        sa.Column("last_seen_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", name="pk_quarantine"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )


def downgrade() -> None:
    """Drop every table of the first schema."""
    for table in (
        "settings",
        "quarantine",
        "audit_log",
        "runs",
        "stage_history",
        "round_robin",
        "record_values",
        "record_links",
        "people",
        "cursors",
    ):
        op.drop_table(table)
