"""Send planned changes in full batches, audit what was written, then settle each person.

Changes wait per CRM until whole batches can go (so n changes cost ceil(n / batch) calls);
a person's new state is stored only once all their records are written, so a crash before
that leaves them due and the next cycle redoes the work. People settle in the order they were
decided, each stored with the round-robin positions as of their decision: after a crash the
next cycle hands out the owners a crash-free cycle would have. A record that failed keeps its
person due for the next cycle, and its failure (code, message, attempts) is kept per record
until a write to it succeeds or its person settles with nothing left to write (a write that
timed out may have been saved); a failure never holds back the other records of its batch.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Final

import msgspec

from leadsync.adapter_api import AdapterError, AuthError, BudgetExhausted, Change, TransientError, WriteResult
from leadsync.connections import Connection
from leadsync.engine.figures import CycleReport
from leadsync.model import RecordRef
from leadsync.store import AuditEntry, PersonId, PersonUpdate, PropertyEntry, StageChange, Store

__all__ = ["Mode", "Writer"]

_BATCHES_PER_FLUSH: Final = 5
_ERRORS_KEPT: Final = 5


class Mode(Enum):
    """What the writer does with planned changes."""

    WRITE = "write"
    SHADOW = "shadow"  # audit them as not applied; write nothing; people stay due
    DRY = "dry"  # count them only


@dataclass(slots=True)
class _Settling:
    update: PersonUpdate
    stage_change: StageChange | None
    round_robin: Mapping[str, int]  # the positions once this person's owner was chosen
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
    _decided: deque[_Settling] = field(default_factory=deque)  # in the order they were decided
    _closed: dict[str, AdapterError] = field(default_factory=dict)  # CRMs whose writes stopped, why
    _failures_kept: bool | None = None  # whether the store keeps write failures (asked once)

    def add(
        self,
        person: PersonId,
        changes: Sequence[tuple[Change, Mapping[str, object]]],
        update: PersonUpdate,
        stage_change: StageChange | None,
        round_robin: Mapping[str, int],
    ) -> None:
        """Plan these changes of one person; the person settles once all are written (and all
        decided before them have settled). `round_robin`: the positions after their decision."""
        settling = _Settling(update, stage_change, round_robin, len(changes))
        for change, _held in changes:
            figures = self.report.crm(change.ref.crm)
            figures.planned += 1
            figures.changed.update(change.values.keys())
        if self.mode is Mode.DRY:
            return
        if self.mode is Mode.SHADOW:
            self.store.audit.append(entry for change, _ in changes for entry in self._audit(change))
            return
        self._decided.append(settling)
        if not changes:
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

    def _flush(self, crm: str, count: int) -> None:
        buffer = self._buffers[crm]
        batch, buffer[:] = buffer[:count], buffer[count:]
        adapter = self.connections[crm].adapter
        figures = self.report.crm(crm)
        if crm in self._closed:
            self._record(_refused(batch, self._closed[crm]))
            return
        self.store.intents.declare(entry for item in batch for entry in self._audit(item.change))
        calls = adapter.usage().calls
        try:
            results = list(adapter.apply([item.change for item in batch]))
            outcomes = list(zip(batch, results, strict=True))
            for result in results:
                if not result.ok and len(figures.errors) < _ERRORS_KEPT:
                    figures.errors.append(f"{result.ref}: {result.code} {result.message}".strip())
        except (BudgetExhausted, TransientError, AuthError) as exc:
            self._closed[crm] = exc
            figures.errors.append(f"writes stopped: {type(exc).__name__}: {exc}")
            outcomes = _refused(batch, exc)
        except AdapterError as exc:  # UnmappedFieldError: a planning bug, not the data's fault
            figures.errors.append(f"{type(exc).__name__}: {exc}")
            outcomes = _refused(batch, exc)
        figures.write_calls += adapter.usage().calls - calls
        figures.write_calls_min += math.ceil(len(batch) / adapter.write_batch_size)
        self._record(outcomes)

    def _record(self, outcomes: list[tuple[_Planned, WriteResult]]) -> None:
        written: dict[RecordRef, Mapping[str, object]] = {}
        held: dict[RecordRef, Mapping[str, object]] = {}
        failures: list[WriteResult] = []
        properties: list[PropertyEntry] = []  # in the CRM's own terms, for an exact rollback
        settled: list[RecordRef] = []  # written or gone: no failure to keep
        for item, result in outcomes:
            change = item.change
            figures = self.report.crm(change.ref.crm)
            settling = self._settling[item.person]
            settling.waiting -= 1
            if result.ok:
                figures.writes += 1
                written[change.ref] = change.values
                held[change.ref] = item.held
                properties += (
                    PropertyEntry(self.report.run_id, change.ref, name, write.before, write.after, self.at)
                    for name, write in result.properties.items()
                )
                settled.append(change.ref)
            elif result.gone:
                self.store.links.unlink(change.ref)
                settled.append(change.ref)
            else:
                figures.failed += 1
                settling.failed = True
                failures.append(msgspec.structs.replace(result, ref=change.ref))
            if settling.waiting == 0:
                del self._settling[item.person]
        self.store.audit.append_intents(written, run_id=self.report.run_id)  # as declared before the send
        self.store.property_audit.append(properties)
        self.store.values.remember_sent(written, held, at=self.at)
        self.store.intents.drop(settled)
        if self._keeps_failures():
            self.store.write_failures.clear(settled)
        if failures:
            self.store.write_failures.record(failures, run_id=self.report.run_id, at=self.at)
            self._failures_kept = True
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
        ready: list[_Settling] = []
        while self._decided and self._decided[0].waiting == 0:
            ready.append(self._decided.popleft())
        if not ready:
            return
        updates = [replace(s.update, reevaluate_at=self.at) if s.failed else s.update for s in ready]
        self.store.persons.update(updates, round_robin=ready[-1].round_robin)
        if self._keeps_failures():
            self.store.write_failures.clear_people([s.update.id for s in ready if not s.failed])
        self.store.stage_history.append(s.stage_change for s in ready if s.stage_change is not None)

    def _keeps_failures(self) -> bool:
        if self._failures_kept is None:
            self._failures_kept = self.store.write_failures.any()
        return self._failures_kept


def _refused(batch: list[_Planned], error: AdapterError) -> list[tuple[_Planned, WriteResult]]:
    """Every change of a batch failed by one error of the whole call (or of an earlier one)."""
    return [
        (item, WriteResult(item.change.ref, ok=False, code=type(error).__name__, message=str(error)))
        for item in batch
    ]
