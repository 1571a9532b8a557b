"""Values leadsync is about to send, kept before the send: a write-ahead log of its own writes.

A process that dies between a CRM accepting a write and the store recording it leaves these
behind; the next read of the record settles them (`Reader`): a value the CRM holds is
leadsync's echo, audited and remembered as written, never mistaken for a human's change.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, delete, select

from leadsync.model import RecordRef
from leadsync.store.entries import AuditEntry, refs_in
from leadsync.store.history import audit_entry_of
from leadsync.store.schema import write_intents
from leadsync.store.upsert import upsert

__all__ = ["WriteIntents"]

_UPDATED = ("run_id", "old_value", "new_value", "definitions_version", "at")


class WriteIntents:
    """Per record and field, the value a write under way means to leave there."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def declare(self, entries: Iterable[AuditEntry]) -> None:
        """Keep what is about to be sent (replacing an older intent for the same field)."""
        rows = {(e.ref, e.field): _row(e) for e in entries}
        with self._engine.begin() as conn:
            upsert(conn, write_intents, list(rows.values()), update=_UPDATED)

    def of(self, refs: Iterable[RecordRef]) -> list[AuditEntry]:
        """The intents still kept for these records."""
        found: list[AuditEntry] = []
        with self._engine.connect() as conn:
            for where in refs_in(write_intents, list(refs)):
                found.extend(audit_entry_of(row) for row in conn.execute(select(write_intents).where(where)))
        return found

    def drop(self, refs: Iterable[RecordRef]) -> None:
        """Forget the intents of these records (their writes are recorded, or known not done)."""
        with self._engine.begin() as conn:
            for where in refs_in(write_intents, list(refs)):
                conn.execute(delete(write_intents).where(where))


def _row(entry: AuditEntry) -> dict[str, object]:
    return {
        "crm": entry.ref.crm,
        "object_type": entry.ref.object_type,
        "record_id": entry.ref.record_id,
        "field": entry.field,
        "run_id": entry.run_id,
        "old_value": entry.old,
        "new_value": entry.new,
        "definitions_version": entry.definitions_version,
        "at": entry.at,
    }
