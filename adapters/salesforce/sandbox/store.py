"""The org's records, thread-safe, with the hooks tests use to act as people and as faults.

Rows are lists in each object's stored-field order (a tenth of a dict's memory, so 100,000
people and their activities fit); `get` and `records` hand out dicts. Hold `store.lock`
around anything that reads several rows as one answer. Writes through the API and the
test hooks below bump `LastModifiedDate`, `SystemModstamp` and `LastModifiedById`.
"""

from __future__ import annotations

import random
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from leadsync.adapter_api import Clock

from .ids import normalize_id, object_of
from .merges import merge_records
from .objects import OBJECTS
from .schema import FieldSpec, ObjectSpec
from .values import Value, coerce, datetime_text, parse_stamp

__all__ = ["ApiUsage", "Row", "Store", "Table"]

Row = list[Value]
_DEFAULT_REJECTION = "LeadSync sandbox validation rule: this record cannot be saved"


class Table:
    """One object's rows, by Id in creation order; formula fields are computed on read.

    The (SystemModstamp, Id) index of the rows that have a stamp is built on first use and
    then follows every add and restamp, so a query on a stamp range reads only that range.
    """

    def __init__(self, spec: ObjectSpec, clock: Clock) -> None:
        self.spec = spec
        self.columns = {f.name: i for i, f in enumerate(f for f in spec.fields if f.stored)}
        self.rows: dict[str, Row] = {}
        self._clock = clock
        self._stamp_column = self.columns.get("SystemModstamp")
        self._by_stamp: list[tuple[str, str]] | None = None

    def add(self, values: Mapping[str, Value]) -> Row:
        """Store a new row (unknown names are a bug in the seeding code: KeyError)."""
        if not self.columns.keys() >= values.keys():
            raise KeyError(f"{self.spec.name} stores no {sorted(values.keys() - self.columns.keys())}")
        row: Row = [values.get(name) for name in self.columns]
        self.rows[str(values["Id"])] = row
        self.index(row)
        return row

    def by_stamp(self) -> list[tuple[str, str]] | None:
        """(SystemModstamp, Id) of every stamped row, ascending; None if the object has no stamp."""
        if self._stamp_column is None:
            return None
        if self._by_stamp is None:
            keys = (self._key(row) for row in self.rows.values())
            self._by_stamp = sorted(key for key in keys if key is not None)
        return self._by_stamp

    def unindex(self, row: Row) -> None:
        """Take a row out of the stamp index, before its stamp changes (`index` puts it back)."""
        key = self._key(row)
        if key is not None and self._by_stamp is not None:
            del self._by_stamp[bisect_left(self._by_stamp, key)]

    def index(self, row: Row) -> None:
        """Put a row (back) into the stamp index."""
        key = self._key(row)
        if key is not None and self._by_stamp is not None:
            insort(self._by_stamp, key)

    def _key(self, row: Row) -> tuple[str, str] | None:
        if self._stamp_column is None or not row[self._stamp_column]:
            return None
        return str(row[self._stamp_column]), str(row[self.columns["Id"]])

    def getter(self, spec: FieldSpec) -> Callable[[Row], Value]:
        """How to read that field from a row of this table."""
        if spec.formula == "full_name":
            first, last = self.columns["FirstName"], self.columns["LastName"]
            return lambda row: " ".join(str(p) for p in (row[first], row[last]) if p) or None
        if spec.formula == "age_days":
            created = self.columns["CreatedDate"]
            return lambda row: float((self._clock.now() - parse_stamp(str(row[created]))).days)
        index = self.columns[spec.name]
        return lambda row: row[index]

    def value(self, row: Row, name: str) -> Value:
        """One field of a row, by canonical name."""
        spec = self.spec.field(name)
        return None if spec is None else self.getter(spec)(row)

    def as_dict(self, row: Row) -> dict[str, Value]:
        """Every field of a row, in describe order."""
        return {f.name: self.getter(f)(row) for f in self.spec.fields}


class ApiUsage:
    """Calls counted against the daily allowance (`Sforce-Limit-Info: api-usage=N/M`)."""

    def __init__(self, limit: int) -> None:
        self.used = 0
        self.limit = limit

    def take(self) -> bool:
        """Count one call, or answer False once the allowance is spent (the call is refused)."""
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def header(self) -> str:
        """The `Sforce-Limit-Info` value."""
        return f"api-usage={self.used}/{self.limit}"


class Store:
    """All tables, the API allowance and the test hooks, behind one re-entrant lock."""

    def __init__(self, clock: Clock, *, daily_limit: int) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.tables = {name: Table(spec, clock) for name, spec in OBJECTS.items()}
        self.usage = ApiUsage(daily_limit)
        self.integration_user_id = ""
        self.assignment_owner = ""  # the active lead assignment rule's queue or user ("": none)
        self.hidden_objects: set[str] = set()  # objects the integration user has no permission on
        self._rejections: dict[str, str] = {}
        self._locked: set[str] = set()
        self._lock_rate = 0.0
        self._lock_rng = random.Random(0)

    # -- reading ---------------------------------------------------------------------------
    def table(self, sobject: str) -> Table:
        """The table of an object, by name in any case (KeyError for an unknown one)."""
        spec = next((s for s in OBJECTS.values() if s.name.lower() == sobject.lower()), None)
        if spec is None or spec.name in self.hidden_objects:
            raise KeyError(f"the Salesforce sandbox has no {sobject!r} object; it has {sorted(OBJECTS)}")
        return self.tables[spec.name]

    def resolve(self, record_id: str) -> tuple[Table, Row] | None:
        """The table and row an id names, whatever its object."""
        sobject = object_of(record_id)
        table = self.tables.get(sobject) if sobject else None
        row = table.rows.get(record_id) if table else None
        return None if table is None or row is None else (table, row)

    def get(self, sobject: str, record_id: str) -> dict[str, Value] | None:
        """A copy of one record (deleted ones included), or None."""
        with self.lock:
            table = self.table(sobject)
            row = table.rows.get(normalize_id(record_id) or record_id)
            return None if row is None else table.as_dict(row)

    def records(self, sobject: str) -> list[dict[str, Value]]:
        """Copies of every record of an object, deleted ones included, in Id order."""
        with self.lock:
            table = self.table(sobject)
            return [table.as_dict(row) for row in table.rows.values()]

    def user_id(self, user: str) -> str:
        """A User's id from its id or e-mail (case-insensitive)."""
        users = self.tables["User"]
        with self.lock:
            if user in users.rows:
                return user
            for user_id, row in users.rows.items():
                if str(users.value(row, "Email")).lower() == user.lower():
                    return user_id
        raise KeyError(f"no sandbox User has the id or e-mail {user!r}")

    # -- writing ---------------------------------------------------------------------------
    def stamp(self, table: Table, row: Row, user_id: str, moment: str) -> None:
        """Mark a row as modified by `user_id` at `moment` (stored datetime text)."""
        table.unindex(row)
        self._set_stamps(table, row, user_id, moment)

    def _set_stamps(self, table: Table, row: Row, user_id: str, moment: str) -> None:
        """Stamp a row already out of the stamp index, and index it again."""
        for name, value in (
            ("LastModifiedDate", moment),
            ("SystemModstamp", moment),
            ("LastModifiedById", user_id),
        ):
            if name in table.columns:
                row[table.columns[name]] = value
        table.index(row)

    def update_as_user(
        self, sobject: str, record_id: str, user: str, *, stamped_at: datetime | None = None, **fields: object
    ) -> dict[str, Value]:
        """Edit a record as a person would in the UI (no validation rules), bumping its stamps.

        `stamped_at` commits the edit late: Salesforce stamps a transaction when it starts, so a
        long one shows up stamped before records already visible (its default: the clock's now).
        """
        with self.lock:
            table, row = self._row(sobject, record_id)
            changes = {}
            for name, raw in fields.items():
                spec = table.spec.field(name)
                if spec is None or not spec.stored:
                    raise KeyError(f"{table.spec.name} has no stored field {name!r}")
                changes[table.columns[spec.name]] = coerce(spec.type, raw)
            table.unindex(row)  # before the changes: a person may even set the stamp itself
            for index, value in changes.items():
                row[index] = value
            moment = datetime_text(stamped_at or self.clock.now())
            self._set_stamps(table, row, self.user_id(user), moment)
            return table.as_dict(row)

    def delete(self, sobject: str, record_id: str, *, by: str | None = None) -> None:
        """Move a record to the recycle bin: `IsDeleted`, found by queryAll only."""
        with self.lock:
            table, row = self._row(sobject, record_id)
            row[table.columns["IsDeleted"]] = True
            self.stamp(
                table,
                row,
                self.user_id(by) if by else self.integration_user_id,
                datetime_text(self.clock.now()),
            )

    def merge(self, sobject: str, master_id: str, *loser_ids: str, by: str | None = None) -> None:
        """Merge Leads or Contacts as Salesforce does (see `merges`): the others deleted with
        `MasterRecordId`, their Tasks, Events and campaign memberships moved to the master."""
        ids = [normalize_id(i) or i for i in (master_id, *loser_ids)]
        with self.lock:
            user = self.user_id(by) if by else self.integration_user_id
            merge_records(self, sobject, ids[0], tuple(ids[1:]), by=user)

    def _row(self, sobject: str, record_id: str) -> tuple[Table, Row]:
        table = self.table(sobject)
        row = table.rows.get(normalize_id(record_id) or record_id)
        if row is None:
            raise KeyError(f"no {table.spec.name} has the id {record_id!r}")
        return table, row

    # -- hooks: validation rules, row locks, the allowance ------------------------------------
    def reject_on_save(self, *record_ids: str, message: str = _DEFAULT_REJECTION) -> None:
        """A validation rule: saving these records fails with FIELD_CUSTOM_VALIDATION_EXCEPTION."""
        with self.lock:
            self._rejections.update({normalize_id(i) or i: message for i in record_ids})

    def accept_saves(self, *record_ids: str) -> None:
        """Lift the validation rule from these records (from all when none are named)."""
        with self.lock:
            if not record_ids:
                self._rejections.clear()
            for record_id in record_ids:
                self._rejections.pop(normalize_id(record_id) or record_id, None)

    def rejection(self, record_id: str) -> str | None:
        """The validation message saving this record fails with, if any."""
        return self._rejections.get(record_id)

    def set_picklist(self, sobject: str, field: str, *values: str) -> None:
        """An admin edits a picklist: `values` are its active values from now on (describe and saves)."""
        with self.lock:
            table = self.table(sobject)
            spec = table.spec.field(field)
            if spec is None or spec.type != "picklist":
                raise KeyError(f"{table.spec.name} has no picklist {field!r}")
            fields = tuple(replace(f, picklist=values) if f is spec else f for f in table.spec.fields)
            table.spec = replace(table.spec, fields=fields)

    def hide_field(self, name: str) -> dict[str, ObjectSpec]:
        """Field-level security hides this field of every object from the API user: describe omits it,
        SOQL answers INVALID_FIELD (api-notes, "Salesforce describe and FLS"). The specs it replaced."""
        with self.lock:
            before = {}
            for table in self.tables.values():
                if table.spec.field(name) is not None:
                    before[table.spec.name] = table.spec
                    fields = tuple(f for f in table.spec.fields if f.name.lower() != name.lower())
                    table.spec = replace(table.spec, fields=fields)
            return before

    def restore_specs(self, specs: Mapping[str, ObjectSpec]) -> None:
        """Put back the objects' metadata as `hide_field` found it."""
        with self.lock:
            for name, spec in specs.items():
                self.tables[name].spec = spec

    def lock_records(self, *record_ids: str) -> None:
        """Hold these rows locked by another transaction: saves fail with UNABLE_TO_LOCK_ROW."""
        with self.lock:
            self._locked.update(normalize_id(i) or i for i in record_ids)

    def unlock_records(self, *record_ids: str) -> None:
        """Release rows (all of them when none are named) and stop random locks."""
        with self.lock:
            self._locked.difference_update(normalize_id(i) or i for i in record_ids)
            if not record_ids:
                self._locked.clear()
                self._lock_rate = 0.0

    def set_lock_rate(self, share: float, *, seed: int = 0) -> None:
        """Fail `share` (0 to 1) of record saves with UNABLE_TO_LOCK_ROW, drawn by a seeded RNG."""
        with self.lock:
            self._lock_rate = share
            self._lock_rng = random.Random(seed)

    def is_locked(self, record_id: str) -> bool:
        """Whether saving this record now meets a row lock (draws from the seeded RNG)."""
        return record_id in self._locked or (
            self._lock_rate > 0 and self._lock_rng.random() < self._lock_rate
        )

    def set_daily_limit(self, limit: int) -> None:
        """The daily API allowance (the M of `api-usage=N/M`)."""
        with self.lock:
            self.usage.limit = limit

    def set_api_usage(self, used: int) -> None:
        """Calls already made today (the N of `api-usage=N/M`)."""
        with self.lock:
            self.usage.used = used
