"""The state store's tables (SQLAlchemy Core); migrations/ creates and evolves them."""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    true,
)

from leadsync.store.types import JsonValue, UtcDateTime

__all__ = [
    "activities",
    "audit_log",
    "audit_properties",
    "cross_references",
    "cursors",
    "merged_records",
    "metadata",
    "people",
    "quarantine",
    "record_links",
    "record_values",
    "round_robin",
    "runs",
    "settings",
    "stage_history",
    "write_failures",
    "write_intents",
]

# Constraint names are fixed so a later migration can alter them on both databases.
metadata: Final = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_CRM = 64
_OBJECT_TYPE = 64
_RECORD_ID = 255
_EMAIL = 254

cursors: Final = Table(
    "cursors",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("stream", String(32), primary_key=True),
    Column("stamp", UtcDateTime, nullable=False),
    Column("record_id", String(_RECORD_ID), nullable=False),
)

people: Final = Table(
    "people",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("email", String(_EMAIL), nullable=False, unique=True),
    Column("reevaluate_at", UtcDateTime, nullable=True, index=True),
    Column("stage", String(32), nullable=True),
    Column("stage_set_by", String(16), nullable=True),
    Column("stage_entered_at", UtcDateTime, nullable=True),
    Column("owner", String(_EMAIL), nullable=True),
    Column("profile", String(64), nullable=True),  # the scoring profile of the last decision
    Column("grade", String(16), nullable=True),
    Column("review", Text, nullable=True),  # why the fit gate's refusal deserves a look, if so
)

record_links: Final = Table(
    "record_links",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("person_id", ForeignKey("people.id"), nullable=False, index=True),
    Column("email", String(_EMAIL), nullable=False, index=True),
    Column("snapshot", JsonValue, nullable=True),
)

cross_references: Final = Table(  # a record holds another's id: one person (leadsync/cross_references.py)
    "cross_references",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("target_crm", String(_CRM), primary_key=True),
    Column("target_object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("target_record_id", String(_RECORD_ID), primary_key=True),
    Index("ix_cross_references_target", "target_crm", "target_object_type", "target_record_id"),
)

merged_records: Final = Table(  # a record merged away, and the one that speaks for it now
    "merged_records",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("survivor_crm", String(_CRM), nullable=False),
    Column("survivor_object_type", String(_OBJECT_TYPE), nullable=False),
    Column("survivor_record_id", String(_RECORD_ID), nullable=False),
    Index("ix_merged_records_survivor", "survivor_crm", "survivor_object_type", "survivor_record_id"),
)

activities: Final = Table(
    "activities",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("person_crm", String(_CRM), nullable=False),
    Column("person_object_type", String(_OBJECT_TYPE), nullable=False),
    Column("person_record_id", String(_RECORD_ID), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("detail", Text, nullable=False),
    Column("occurred_epoch", Double, nullable=False),  # occurred_at as `Activity.epoch` holds it
    Index("ix_activities_person", "person_crm", "person_object_type", "person_record_id"),
)

record_values: Final = Table(
    "record_values",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("last_read", JsonValue, nullable=True),
    Column("read_at", UtcDateTime, nullable=True),
    Column("last_written", JsonValue, nullable=True),
    Column("written_at", UtcDateTime, nullable=True),
)

round_robin: Final = Table(
    "round_robin",
    metadata,
    Column("territory", String(128), primary_key=True),
    Column("position", Integer, nullable=False),
)

stage_history: Final = Table(
    "stage_history",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("person_id", ForeignKey("people.id"), nullable=False, index=True),
    Column("from_stage", String(32), nullable=True),
    Column("to_stage", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("set_by", String(16), nullable=False),
    Column("reason", Text, nullable=False),
)

runs: Final = Table(
    "runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("pipeline", String(128), nullable=False),
    Column("started_at", UtcDateTime, nullable=False, index=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("counts", JsonValue, nullable=False),
    Column("api_calls", JsonValue, nullable=False),
)

audit_log: Final = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("crm", String(_CRM), nullable=False),
    Column("object_type", String(_OBJECT_TYPE), nullable=False),
    Column("record_id", String(_RECORD_ID), nullable=False),
    Column("field", String(64), nullable=False),
    Column("old_value", JsonValue, nullable=True),
    Column("new_value", JsonValue, nullable=True),
    Column("definitions_version", String(128), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("applied", Boolean, nullable=False, server_default=true()),
    Index("ix_audit_log_record", "crm", "object_type", "record_id"),
)

audit_properties: Final = Table(
    "audit_properties",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("crm", String(_CRM), nullable=False),
    Column("object_type", String(_OBJECT_TYPE), nullable=False),
    Column("record_id", String(_RECORD_ID), nullable=False),
    Column("property", String(255), nullable=False),
    Column("old_value", JsonValue, nullable=True),
    Column("new_value", JsonValue, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_audit_properties_record", "crm", "object_type", "record_id"),
)

quarantine: Final = Table(
    "quarantine",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("excerpt", Text, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
)

write_failures: Final = Table(
    "write_failures",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("run_id", String(32), nullable=False),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_failed_at", UtcDateTime, nullable=False),
    Column("last_failed_at", UtcDateTime, nullable=False),
)

write_intents: Final = Table(
    "write_intents",
    metadata,
    Column("crm", String(_CRM), primary_key=True),
    Column("object_type", String(_OBJECT_TYPE), primary_key=True),
    Column("record_id", String(_RECORD_ID), primary_key=True),
    Column("field", String(64), primary_key=True),
    Column("run_id", String(32), nullable=False),
    Column("old_value", JsonValue, nullable=True),
    Column("new_value", JsonValue, nullable=True),
    Column("definitions_version", String(128), nullable=False),
    Column("at", UtcDateTime, nullable=False),
)

settings: Final = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
