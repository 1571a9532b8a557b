"""Each record's managed values as last read and last written: our echo vs a human's change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import Engine, Row, select

from leadsync.model import RecordRef
from leadsync.store.entries import RecordValues, refs_in
from leadsync.store.schema import record_values
from leadsync.store.upsert import upsert

__all__ = ["Values"]

_ManagedValues = Mapping[str, object]


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
        rows = self._written_rows(values, at=at)
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
        rows = self._written_rows(written, at=at)
        for row in rows:
            ref = RecordRef(str(row["crm"]), str(row["object_type"]), str(row["record_id"]))
            row.update(last_read={**held.get(ref, {}), **written[ref]}, read_at=at)
        with self._engine.begin() as conn:
            upsert(conn, record_values, rows, update=("last_read", "read_at", "last_written", "written_at"))

    def _written_rows(
        self, values: Mapping[RecordRef, _ManagedValues], *, at: datetime
    ) -> list[dict[str, object]]:
        earlier = self._last_written(values)
        return [
            _row(ref, last_written={**earlier.get(ref, {}), **written}, written_at=at)
            for ref, written in values.items()
        ]

    def _last_written(self, refs: Iterable[RecordRef]) -> dict[RecordRef, Mapping[str, object]]:
        """What was last written to each of `refs` that has anything (its read values left undecoded)."""
        found: dict[RecordRef, Mapping[str, object]] = {}
        columns = (record_values.c.crm, record_values.c.object_type, record_values.c.record_id)
        with self._engine.connect() as conn:
            for where in refs_in(record_values, list(refs)):
                query = select(*columns, record_values.c.last_written).where(
                    where, record_values.c.last_written.is_not(None)
                )
                for row in conn.execute(query):
                    found[RecordRef(row.crm, row.object_type, row.record_id)] = _mapping(row.last_written)
        return found

    def of(self, refs: Iterable[RecordRef]) -> dict[RecordRef, RecordValues]:
        """The remembered values of each of `refs` that has any."""
        found: dict[RecordRef, RecordValues] = {}
        with self._engine.connect() as conn:
            for where in refs_in(record_values, list(refs)):
                for row in conn.execute(select(record_values).where(where)):
                    values = _from_row(row)
                    found[values.ref] = values
        return found

    def funnel(self) -> Counter[tuple[str, str, str]]:
        """Records per (CRM, stage, temperature) as last read from or written to each CRM."""
        counts: Counter[tuple[str, str, str]] = Counter()
        query = select(record_values.c.crm, record_values.c.last_read).execution_options(yield_per=2000)
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                held = row.last_read if isinstance(row.last_read, dict) else {}
                counts[row.crm, str(held.get("stage") or "none"), str(held.get("temperature") or "none")] += 1
        return counts


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


def _mapping(value: object) -> Mapping[str, object]:
    return MappingProxyType(dict(value)) if isinstance(value, dict) else MappingProxyType({})


def _from_row(row: Row[tuple[object, ...]]) -> RecordValues:
    return RecordValues(
        ref=RecordRef(row.crm, row.object_type, row.record_id),
        last_read=_mapping(row.last_read),
        read_at=row.read_at,
        last_written=_mapping(row.last_written),
        written_at=row.written_at,
    )
