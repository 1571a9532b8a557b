"""Records a CRM refused to save: the error code, a message without secrets, and how often it failed.

One entry per record. A failed write is retried next cycle; each write that fails again counts
one more attempt (the adapter's own retries within one write are not counted). The entry goes
once the record is written, gone, or holds what it should (its person settled with nothing
left to write).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, Row, delete, select, tuple_

from leadsync.adapter_api import WriteResult
from leadsync.model import RecordRef
from leadsync.store.entries import PersonId, refs_in
from leadsync.store.quarantine import EXCERPT_CHARS, safe_excerpt
from leadsync.store.schema import record_links, write_failures
from leadsync.store.upsert import upsert

__all__ = ["WriteFailureEntry", "WriteFailures"]

_CODE_CHARS: Final = 64
_CHUNK: Final = 500  # people per IN list


@dataclass(frozen=True, slots=True)
class WriteFailureEntry:
    """A record whose last write failed: in which run, with what error, since when, how often."""

    ref: RecordRef
    run_id: str
    code: str
    message: str
    first_failed_at: datetime
    last_failed_at: datetime
    attempts: int


class WriteFailures:
    """The records whose last write failed, kept until a write to them succeeds."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, failures: Iterable[WriteResult], *, run_id: str, at: datetime) -> None:
        """Keep these failed writes: a new entry, or one more attempt of a record already failing."""
        rows: list[dict[str, object]] = [
            {
                "crm": f.ref.crm,
                "object_type": f.ref.object_type,
                "record_id": f.ref.record_id,
                "run_id": run_id,
                "code": (f.code or "UNKNOWN")[:_CODE_CHARS],
                "message": safe_excerpt(f.message, 2 * EXCERPT_CHARS),
                "attempts": 1,
                "first_failed_at": at,
                "last_failed_at": at,
            }
            for f in {f.ref: f for f in failures}.values()  # one row per record and statement
        ]
        if not rows:
            return
        with self._engine.begin() as conn:
            upsert(
                conn, write_failures, rows, update=("run_id", "code", "message", "last_failed_at"),
                also={"attempts": write_failures.c.attempts + 1},
            )  # fmt: skip

    def clear(self, refs: Iterable[RecordRef]) -> None:
        """Forget the failures of these records (written now, or gone); others are ignored."""
        wheres = list(refs_in(write_failures, list(refs)))
        if not wheres:
            return
        with self._engine.begin() as conn:
            for where in wheres:
                conn.execute(delete(write_failures).where(where))

    def clear_people(self, people: Sequence[PersonId]) -> None:
        """Forget the failures of these people's records: nothing is left to write to them (a write
        that timed out may have been saved after all, and then no later write comes to clear it)."""
        if not people:
            return
        key = tuple_(write_failures.c.crm, write_failures.c.object_type, write_failures.c.record_id)
        records = select(record_links.c.crm, record_links.c.object_type, record_links.c.record_id)
        with self._engine.begin() as conn:
            for start in range(0, len(people), _CHUNK):
                linked = records.where(record_links.c.person_id.in_(people[start : start + _CHUNK]))
                conn.execute(delete(write_failures).where(key.in_(linked)))

    def any(self) -> bool:
        """Whether some record's last write failed."""
        with self._engine.connect() as conn:
            return conn.scalar(select(write_failures.c.crm).limit(1)) is not None

    def entries(self, crm: str | None = None, limit: int = 1000) -> list[WriteFailureEntry]:
        """Records whose last write failed, most recent failure first."""
        table = write_failures
        query = (
            select(table)
            .order_by(table.c.last_failed_at.desc(), table.c.crm, table.c.object_type, table.c.record_id)
            .limit(limit)
        )
        if crm is not None:
            query = query.where(table.c.crm == crm)
        with self._engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]


def _entry(row: Row[tuple[object, ...]]) -> WriteFailureEntry:
    return WriteFailureEntry(
        ref=RecordRef(row.crm, row.object_type, row.record_id),
        run_id=row.run_id,
        code=row.code,
        message=row.message,
        first_failed_at=row.first_failed_at,
        last_failed_at=row.last_failed_at,
        attempts=row.attempts,
    )
