"""The values the state store takes and gives back: typed, frozen, never raw rows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NewType

from sqlalchemy import ColumnElement, Table, and_, bindparam

from leadsync.model import RecordRef, SetBy, Stage

__all__ = [
    "ApiCalls",
    "AuditEntry",
    "ForgetReport",
    "PersonId",
    "PropertyEntry",
    "QuarantineEntry",
    "RecordValues",
    "Run",
    "RunStatus",
    "StageChange",
    "ref_matches",
    "refs_in",
    "same_record",
]

PersonId = NewType("PersonId", int)
"""The state store's id of one person, linked to records in any CRM."""

_EMPTY: Mapping[str, object] = MappingProxyType({})

DUE_NOW: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The re-evaluation time that means "in the next cycle": earlier than any cycle's start."""


_CHUNK = 500  # refs per IN list: far below SQLite's and PostgreSQL's parameter limits


def refs_in(table: Table, refs: Sequence[RecordRef], *, prefix: str = "") -> Iterator[ColumnElement[bool]]:
    """WHERE clauses selecting the rows of `refs`, one per CRM and object type and chunk of 500 ids.

    `crm = ? AND object_type = ? AND record_id IN (...)`: SQLite scans the whole table for a
    row-value IN list, but searches the key's index for this. `prefix` names other key columns:
    "person_" selects activities by the record they belong to.
    """
    ids: dict[tuple[str, str], list[str]] = {}
    for ref in refs:
        ids.setdefault((ref.crm, ref.object_type), []).append(ref.record_id)
    crm, object_type, record_id = (table.c[f"{prefix}{name}"] for name in ("crm", "object_type", "record_id"))
    for (crm_name, type_name), record_ids in ids.items():
        for start in range(0, len(record_ids), _CHUNK):
            # One typed expanding parameter: `in_(list)` would coerce each of the 500 ids in Python.
            chunk = bindparam(
                "record_ids", record_ids[start : start + _CHUNK], record_id.type, unique=True, expanding=True
            )
            yield and_(crm == crm_name, object_type == type_name, record_id.in_(chunk))


def same_record(left: Table, right: Table, *, right_prefix: str = "") -> ColumnElement[bool]:
    """Rows of `left` and `right` about one CRM record (`right`'s key columns named with `right_prefix`)."""
    return and_(
        *(left.c[name] == right.c[right_prefix + name] for name in ("crm", "object_type", "record_id"))
    )


def ref_matches(table: Table, ref: RecordRef) -> ColumnElement[bool]:
    """The WHERE clause selecting `ref`'s row of a table keyed by (crm, object_type, record_id)."""
    return and_(
        table.c.crm == ref.crm, table.c.object_type == ref.object_type, table.c.record_id == ref.record_id
    )


@dataclass(frozen=True, slots=True)
class RecordValues:
    """The managed values last read from a record and last written to it by leadsync."""

    ref: RecordRef
    last_read: Mapping[str, object] = field(default_factory=lambda: _EMPTY)
    read_at: datetime | None = None
    last_written: Mapping[str, object] = field(default_factory=lambda: _EMPTY)
    written_at: datetime | None = None

    def is_echo(self, name: str, value: object) -> bool:
        """Whether `value` read from the CRM is just what leadsync wrote there, not a human's change."""
        return name in self.last_written and self.last_written[name] == value


@dataclass(frozen=True, slots=True)
class StageChange:
    """One move of a person through the funnel, for funnel analytics."""

    person_id: PersonId
    from_stage: Stage | None
    to_stage: Stage
    at: datetime
    set_by: SetBy
    reason: str = ""


class RunStatus(StrEnum):
    """Where a run stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # ended early and cleanly (budget spent, stop requested); resumes next cycle
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ApiCalls:
    """API calls one CRM took in a run, and the fewest that work could have taken."""

    calls: int
    minimum: int
    used: int | None = None  # the CRM's own count of calls in its window (e.g. 24 h) after the run
    limit: int | None = None  # the CRM's allowance in that window


@dataclass(frozen=True, slots=True)
class Run:
    """One cycle (or rollback) of a pipeline and its figures."""

    id: str
    pipeline: str
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    api_calls: Mapping[str, ApiCalls] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One value leadsync wrote to a CRM record, and the value it replaced."""

    run_id: str
    ref: RecordRef
    field: str
    old: object
    new: object
    definitions_version: str
    at: datetime
    applied: bool = True  # False: a shadow run's or dry run's audit, nothing was sent


@dataclass(frozen=True, slots=True)
class PropertyEntry:
    """One CRM property a run set, in the CRM's own terms: the raw value it replaced and wrote."""

    run_id: str
    ref: RecordRef
    property: str
    old: object
    new: object
    at: datetime


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A record that could not be read cleanly, why, and a cut excerpt without secrets."""

    ref: RecordRef
    reason: str
    excerpt: str
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ForgetReport:
    """What `Store.forget` erased."""

    people: int = 0
    records: int = 0
    stage_changes: int = 0
    audit_entries: int = 0
    quarantined: int = 0
    write_failures: int = 0
