"""Send planned changes in full batches, audit what was written, then settle each person.

Changes wait per CRM until whole batches can go (so n changes cost ceil(n / batch) calls);
a person's new state is stored only once all their records are written, so a crash before
that leaves them due and the next cycle redoes the work. A record that failed keeps its
person due for the next cycle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Final

from leadsync.adapter_api import AdapterError, AuthError, BudgetExhausted, Change, TransientError
from leadsync.connections import Connection
from leadsync.engine.figures import CycleReport
from leadsync.model import RecordRef
from leadsync.store import AuditEntry, PersonId, PersonUpdate, StageChange, Store

__all__ = ["Mode", "Writer"]

_BATCHES_PER_FLUSH: Final = 5
_ERRORS_KEPT: Final = 5
GONE: Final = frozenset(
    {"ENTITY_IS_DELETED", "NOT_FOUND", "OBJECT_NOT_FOUND", "CANNOT_UPDATE_CONVERTED_LEAD"}
)
"""Write error codes that say the record no longer exists (deleted, merged, converted): unlink it."""


class Mode(Enum):
    """What the writer does with planned changes."""

    WRITE = "write"
    SHADOW = "shadow"  # audit them as not applied; write nothing; people stay due
    DRY = "dry"  # count them only


@dataclass(slots=True)
class _Settling:
    update: PersonUpdate
    stage_change: StageChange | None
    waiting: int
    failed: bool = False


@dataclass(frozen=True, slots=True)
class _Planned:
    change: Change
    person: PersonId
    held: Mapping[str, object]  # what the record holds now (last read)


@dataclass(slots=True)
class Writer:
    """Buffers each CRM's changes, writes them in whole batches, and settles people."""

    store: Store
    connections: Mapping[str, Connection]
    report: CycleReport
    mode: Mode
    definitions_version: str
    at: datetime
    _buffers: dict[str, list[_Planned]] = field(default_factory=dict)
    _settling: dict[PersonId, _Settling] = field(default_factory=dict)
    _ready: list[_Settling] = field(default_factory=list)
    _closed: set[str] = field(default_factory=set)  # CRMs whose writes stopped this cycle

    def add(
        self,
        person: PersonId,
        changes: Sequence[tuple[Change, Mapping[str, object]]],
        update: PersonUpdate,
        stage_change: StageChange | None,
    ) -> None:
        """Plan these changes of one person; the person settles when all are written."""
        settling = _Settling(update, stage_change, len(changes))
        for change, _held in changes:
            figures = self.report.crm(change.ref.crm)
            figures.planned += 1
            figures.changed.update(change.values.keys())
        if self.mode is Mode.DRY:
            return
        if self.mode is Mode.SHADOW:
            self.store.audit.append(entry for change, _ in changes for entry in self._audit(change))
            return
        if not changes:
            self._ready.append(settling)
            return
        self._settling[person] = settling
        for change, held in changes:
            self._buffers.setdefault(change.ref.crm, []).append(_Planned(change, person, held))
        for crm, buffer in self._buffers.items():
            size = self.connections[crm].adapter.write_batch_size * _BATCHES_PER_FLUSH
            while len(buffer) >= size:
                self._flush(crm, size)

    def finish(self) -> None:
        """Write what is left and settle everyone (also after a stop was requested)."""
        for crm, buffer in self._buffers.items():
            if buffer:
                self._flush(crm, len(buffer))
        self._settle()

    def settle_pending(self) -> None:
        """Store the state of people whose records are all written."""
        self._settle()

    def _flush(self, crm: str, count: int) -> None:
        buffer = self._buffers[crm]
        batch, buffer[:] = buffer[:count], buffer[count:]
        connection = self.connections[crm]
        adapter = connection.adapter
        figures = self.report.crm(crm)
        outcomes: list[tuple[_Planned, bool, str]] = []
        if crm in self._closed:
            outcomes = [(item, False, "") for item in batch]
        else:
            calls = adapter.usage().calls
            try:
                results = list(adapter.apply([item.change for item in batch]))
                outcomes = [(item, r.ok, r.code) for item, r in zip(batch, results, strict=True)]
                for result in results:
                    if not result.ok and len(figures.errors) < _ERRORS_KEPT:
                        figures.errors.append(f"{result.ref}: {result.code} {result.message}".strip())
            except (BudgetExhausted, TransientError, AuthError) as exc:
                self._closed.add(crm)
                figures.errors.append(f"writes stopped: {type(exc).__name__}: {exc}")
                outcomes = [(item, False, "") for item in batch]
            except AdapterError as exc:  # UnmappedFieldError: a planning bug, not the data's fault
                figures.errors.append(f"{type(exc).__name__}: {exc}")
                outcomes = [(item, False, "") for item in batch]
            figures.write_calls += adapter.usage().calls - calls
            figures.write_calls_min += math.ceil(len(batch) / adapter.write_batch_size)
        self._record(outcomes)

    def _record(self, outcomes: list[tuple[_Planned, bool, str]]) -> None:
        written: dict[RecordRef, Mapping[str, object]] = {}
        held: dict[RecordRef, Mapping[str, object]] = {}
        audit: list[AuditEntry] = []
        for item, ok, code in outcomes:
            change = item.change
            figures = self.report.crm(change.ref.crm)
            settling = self._settling[item.person]
            settling.waiting -= 1
            if ok:
                figures.writes += 1
                written[change.ref] = change.values
                held[change.ref] = item.held
                audit.extend(self._audit(change))
            elif code in GONE:
                self.store.links.unlink(change.ref)
            else:
                figures.failed += 1
                settling.failed = True
            if settling.waiting == 0:
                self._ready.append(self._settling.pop(item.person))
        self.store.audit.append(audit)
        self.store.values.remember_sent(written, held, at=self.at)
        self._settle()

    def _audit(self, change: Change) -> list[AuditEntry]:
        return [
            AuditEntry(
                run_id=self.report.run_id,
                ref=change.ref,
                field=name,
                old=change.previous.get(name),
                new=value,
                definitions_version=self.definitions_version,
                at=self.at,
                applied=self.mode is Mode.WRITE,
            )
            for name, value in change.values.items()
        ]

    def _settle(self) -> None:
        if not self._ready:
            return
        ready, self._ready = self._ready, []
        updates = [replace(s.update, reevaluate_at=self.at) if s.failed else s.update for s in ready]
        self.store.persons.update(updates)
        self.store.stage_history.append(s.stage_change for s in ready if s.stage_change is not None)
