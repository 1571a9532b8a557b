"""Each record's managed values as last read and last written: our echo vs a human's change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import Engine, select

from leadsync.model import RecordRef
from leadsync.store.entries import RecordValues, refs_in
from leadsync.store.schema import record_values
from leadsync.store.upsert import upsert

__all__ = ["Values"]

_ManagedValues = Mapping[str, object]
_EMPTY: Mapping[str, object] = MappingProxyType({})
_COLUMNS = (
    record_values.c.crm,
    record_values.c.object_type,
    record_values.c.record_id,
    record_values.c.last_read,
    record_values.c.read_at,
    record_values.c.last_written,
    record_values.c.written_at,
)


class Values:
    """What leadsync last saw in, and last wrote to, each record's managed fields."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def remember_read(self, values: Mapping[RecordRef, _ManagedValues], *, at: datetime) -> None:
        """Store what was read from each record at `at`."""
        rows = [_row(ref, last_read=dict(v), read_at=at) for ref, v in values.items()]
        with self._engine.begin() as conn:
            upsert(conn, record_values, rows, update=("last_read", "read_at"))

    def remember_written(self, values: Mapping[RecordRef, _ManagedValues], *, at: datetime) -> None:
        """Store what was written to each record at `at`, merged over what was written before."""
        earlier = self._last_written(values)
        rows = [
            _row(ref, last_written={**earlier.get(ref, {}), **written}, written_at=at)
            for ref, written in values.items()
        ]
        with self._engine.begin() as conn:
            upsert(conn, record_values, rows, update=("last_written", "written_at"))

    def remember_sent(
        self,
        written: Mapping[RecordRef, _ManagedValues],
        held: Mapping[RecordRef, _ManagedValues],
        *,
        at: datetime,
    ) -> None:
        """Store a successful write: what was written, and what the record now holds (`held` + written).

        One statement sets both, rather than one per column pair: half the rows to send.
        """
        earlier = self._last_written(written)
        rows = [
            _row(
                ref,
                last_read={**held.get(ref, {}), **values},
                read_at=at,
                last_written={**earlier.get(ref, {}), **values},
                written_at=at,
            )
            for ref, values in written.items()
        ]
        with self._engine.begin() as conn:
            upsert(conn, record_values, rows, update=("last_read", "read_at", "last_written", "written_at"))

    def _last_written(self, refs: Iterable[RecordRef]) -> dict[RecordRef, Mapping[str, object]]:
        """What was last written to each of `refs` that has anything (its read values left undecoded).

        `written_at` tells which have: a record only read holds a JSON null there, not an SQL NULL.
        """
        wanted = _by_key(refs)
        found: dict[RecordRef, Mapping[str, object]] = {}
        with self._engine.connect() as conn:
            for where in refs_in(record_values, list(wanted.values())):
                query = select(*_COLUMNS[:3], record_values.c.last_written).where(
                    where, record_values.c.written_at.is_not(None)
                )
                for crm, object_type, record_id, last_written in conn.execute(query):
                    found[wanted[crm, object_type, record_id]] = _mapping(last_written)
        return found

    def of(self, refs: Iterable[RecordRef]) -> dict[RecordRef, RecordValues]:
        """The remembered values of each of `refs` that has any."""
        wanted = _by_key(refs)
        found: dict[RecordRef, RecordValues] = {}
        with self._engine.connect() as conn:
            for where in refs_in(record_values, list(wanted.values())):
                for row in conn.execute(select(*_COLUMNS).where(where)):
                    crm, object_type, record_id, last_read, read_at, last_written, written_at = row
                    ref = wanted[crm, object_type, record_id]
                    found[ref] = RecordValues(
                        ref, _mapping(last_read), read_at, _mapping(last_written), written_at
                    )
        return found


def _row(ref: RecordRef, **columns: object) -> dict[str, object]:
    row: dict[str, object] = {
        "crm": ref.crm,
        "object_type": ref.object_type,
        "record_id": ref.record_id,
        "last_read": None,
        "read_at": None,
        "last_written": None,
        "written_at": None,
    }
    row.update(columns)
    return row


def _by_key(refs: Iterable[RecordRef]) -> dict[tuple[str, str, str], RecordRef]:
    """The refs by their key columns: a row finds the caller's own ref, none is built per row."""
    return {(ref.crm, ref.object_type, ref.record_id): ref for ref in refs}


def _mapping(value: object) -> Mapping[str, object]:
    """A read JSON object, frozen: the dict is the decoder's own, so it is not copied."""
    return MappingProxyType(value) if isinstance(value, dict) else _EMPTY
