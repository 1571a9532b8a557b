"""The state store (SQLAlchemy 2 + Alembic, SQLite or PostgreSQL): what leadsync keeps between cycles."""

from leadsync.store._store import DEFAULT_URL, Store
from leadsync.store.entries import (
    DUE_NOW,
    ApiCalls,
    AuditEntry,
    ForgetReport,
    PersonId,
    PropertyEntry,
    QuarantineEntry,
    RecordValues,
    Run,
    RunStatus,
    StageChange,
)
from leadsync.store.exceptions import LeaseHeld, StoreError
from leadsync.store.persons import DecidedFigures, PersonFile, PersonState, PersonUpdate
from leadsync.store.write_failures import WriteFailureEntry

__all__ = [
    "DEFAULT_URL",
    "DUE_NOW",
    "ApiCalls",
    "AuditEntry",
    "DecidedFigures",
    "ForgetReport",
    "LeaseHeld",
    "PersonFile",
    "PersonId",
    "PersonState",
    "PersonUpdate",
    "PropertyEntry",
    "QuarantineEntry",
    "RecordValues",
    "Run",
    "RunStatus",
    "StageChange",
    "Store",
    "StoreError",
    "WriteFailureEntry",
]
