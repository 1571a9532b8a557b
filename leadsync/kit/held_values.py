"""Each record's mapped CRM properties as last read or written: what every write replaced.

A writer reads the records it has not read yet before writing them (`hold`), so each result
says what each property held before (`written`): the audit an exact rollback restores from.
The audit never holds a write back: when that read fails for another reason than spent
credentials or budget, those writes go on and report no properties.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import structlog

from leadsync.adapter_api import (
    AdapterError,
    AuthError,
    BudgetExhausted,
    PropertyWrite,
    RawValue,
    WriteResult,
)
from leadsync.model import RecordRef

__all__ = ["HeldValues", "raw_value"]

_log = structlog.get_logger("leadsync.kit.held_values")


def raw_value(value: object) -> RawValue:
    """A property's value as the audit keeps it: JSON scalars, an empty text as None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str | int | float | bool) else str(value)


class HeldValues:
    """Mapped properties per record id, as last read (`keep`) or written (`written`)."""

    def __init__(self, crm: str, read: Callable[[Sequence[RecordRef]], object]) -> None:
        self._crm, self._read = crm, read
        self._held: dict[str, dict[str, RawValue]] = {}

    def keep(self, record_id: str, values: Mapping[str, object]) -> dict[str, RawValue]:
        """Remember what a read found; returns a copy for the caller's `CurrentValues`."""
        held = self._held[record_id] = {name: raw_value(value) for name, value in values.items()}
        return dict(held)

    def get(self, record_id: str) -> Mapping[str, RawValue] | None:
        """What the record held when last read or written, if it was."""
        return self._held.get(record_id)

    def hold(self, refs: Sequence[RecordRef]) -> None:
        """Read the records not read yet, so each write can say what it replaced."""
        unread = [ref for ref in refs if ref.record_id not in self._held]
        if not unread:
            return
        try:
            self._read(unread)
        except (AuthError, BudgetExhausted):
            raise
        except AdapterError as exc:
            _log.warning("write.before_unread", crm=self._crm, records=len(unread), error=type(exc).__name__)

    def written(self, result: WriteResult, sent: Mapping[str, object]) -> WriteResult:
        """A write done, with each property sent and what it held before (none when unknown)."""
        held = self._held.get(result.ref.record_id)
        if held is None:
            return result
        writes = {name: PropertyWrite(held.get(name), raw_value(value)) for name, value in sent.items()}
        held.update({name: write.after for name, write in writes.items()})
        return WriteResult(result.ref, True, result.code, result.message, properties=writes)
