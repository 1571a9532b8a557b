"""`rollback RUN_ID`: put back each CRM property a run set to exactly what it held before.

The rollback is a run of its own, with its audit entries, so it can itself be rolled back.
It restores from the property audit (raw CRM values: an empty lead status, a queue as owner),
not from model values, so a property goes back to its own earlier value. What each CRM holds
is read live: a property that no longer holds what the run wrote was changed by someone
since, and is listed and left alone. A record whose write the CRM refuses is written again one
property at a time, so a value it now refuses (a deactivated owner) fails alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from leadsync.adapter_api import AdapterError, Change, CurrentValues, RawValue, WriteResult
from leadsync.clock import Clock
from leadsync.connections import Connection
from leadsync.exceptions import LeadsyncError
from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store import (
    ApiCalls,
    AuditEntry,
    PersonId,
    PersonState,
    PropertyEntry,
    Run,
    RunStatus,
    StageChange,
    Store,
)

__all__ = ["FieldTally", "RollbackReport", "rollback"]

_Entry = TypeVar("_Entry", AuditEntry, PropertyEntry)

_UNAUDITED = (
    "not restorable: the audit holds no CRM values for this write "
    "(written before leadsync kept them, or by a run that died mid-write)"
)


@dataclass(slots=True)
class FieldTally:
    """Properties of one CRM field a rollback restored, left (changed since) and failed."""

    restored: int = 0
    skipped: int = 0
    failed: int = 0


@dataclass(slots=True)
class RollbackReport:
    """What a rollback restored, what it left because a human changed it, and what failed."""

    run_id: str
    rolled_back: str
    restored: int = 0  # properties
    records: int = 0  # records written
    fields: dict[tuple[str, str], FieldTally] = field(default_factory=dict)  # (crm, field)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def tally(self, ref: RecordRef, name: str) -> FieldTally:
        """The counts of one CRM field."""
        return self.fields.setdefault((ref.crm, name), FieldTally())

    def restore(self, ref: RecordRef, name: str) -> None:
        """Count one property put back."""
        self.restored += 1
        self.tally(ref, name).restored += 1

    def skip(self, entry: PropertyEntry, now: RawValue) -> None:
        """List one property a human changed since the run."""
        self.tally(entry.ref, entry.property).skipped += 1
        self.skipped.append(
            {"record": str(entry.ref), "field": entry.property, "run_wrote": entry.new, "now": now}
        )

    def fail(self, ref: RecordRef, name: str, reason: str) -> None:
        """List one property not put back, and why."""
        self.tally(ref, name).failed += 1
        self.failed.append({"record": str(ref), "field": name, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "run_id": self.run_id,
            "rolled_back": self.rolled_back,
            "restored": self.restored,
            "records": self.records,
            "fields": [
                {"crm": crm, "field": name, "restored": t.restored, "skipped": t.skipped, "failed": t.failed}
                for (crm, name), t in sorted(self.fields.items())
            ],
            "skipped": self.skipped,
            "failed": self.failed,
        }


def rollback(
    store: Store, connections: Sequence[Connection], clock: Clock, *, pipeline: str, run_id: str
) -> RollbackReport:
    """Restore what run `run_id` overwrote in every CRM, under the pipeline's lease."""
    rolled = store.runs.get(run_id)
    if rolled is None:
        raise LeadsyncError(f"no run has the id {run_id!r}; `leadsync runs` lists them")
    by_name = {c.name: c for c in connections}
    with store.lease(pipeline):
        at = clock.now()
        run = store.runs.start(pipeline, at=at)
        report = RollbackReport(run.id, run_id)
        calls = {c.name: c.adapter.usage().calls for c in connections}
        entries = _by_crm(store.audit.overwritten_by(run_id))
        properties = _by_crm(store.property_audit.overwritten_by(run_id))
        put_back: list[AuditEntry] = []
        for crm in dict.fromkeys([*entries, *properties]):  # in the order the run wrote them
            connection = by_name.get(crm)
            if connection is None:
                unconfigured = f"{crm} is not configured now"
                for entry in properties.get(crm, []):
                    report.fail(entry.ref, entry.property, unconfigured)
                audited = {p.ref for p in properties.get(crm, [])}
                for change in entries.get(crm, []):
                    if change.ref not in audited:
                        report.fail(change.ref, change.field, unconfigured)
                continue
            restoring = _Restoring(store, connection, report, at)
            put_back += restoring.run(properties.get(crm, []), entries.get(crm, []))
        _restore_decided_stages(store, put_back, rolled, report, at=at)
        used = {c.name: c.adapter.usage().calls - calls[c.name] for c in connections}
        store.runs.finish(
            run.id,
            RunStatus.PARTIAL if report.failed else RunStatus.SUCCEEDED,
            at=clock.now(),
            counts={"restored": report.restored, "written": report.records, "skipped": len(report.skipped)},
            api_calls={name: ApiCalls(n, n) for name, n in used.items()},
        )
    return report


def _by_crm(entries: Iterable[_Entry]) -> dict[str, list[_Entry]]:
    grouped: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.ref.crm].append(entry)
    return grouped


@dataclass(slots=True)
class _Restoring:
    """One CRM's part of a rollback."""

    store: Store
    connection: Connection
    report: RollbackReport
    at: datetime

    def run(self, properties: Sequence[PropertyEntry], entries: Sequence[AuditEntry]) -> list[AuditEntry]:
        """Put back the properties; the model values (audit entries) thereby restored in full."""
        audited = {p.ref for p in properties}
        for entry in entries:
            if entry.ref not in audited:
                self.report.fail(entry.ref, entry.field, _UNAUDITED)
        wanted: dict[RecordRef, dict[str, RawValue]] = {}
        try:
            current = {c.ref: c for c in self.connection.adapter.read_current(sorted(audited))}
            wanted = self._wanted(properties, current)
            restored = self._restorable(properties, entries, wanted)
            # Kept before the send, like a cycle's writes: a crash after it is read back as our echo.
            self.store.intents.declare(restored)
            written = self._written(wanted)
        except AdapterError as exc:
            pending = [(ref, name) for ref, values in wanted.items() for name in values]
            for ref, name in pending or [(p.ref, p.property) for p in properties]:
                self.report.fail(ref, name, f"{type(exc).__name__}: {exc}")
            return []
        done = {(change.ref, name) for change, _ in written for name in change.properties}
        for ref, name in done:
            self.report.restore(ref, name)
        self.report.records += len({change.ref for change, _ in written})
        self.store.property_audit.append(
            PropertyEntry(self.report.run_id, r.ref, name, w.before, w.after, self.at)
            for _, r in written
            for name, w in r.properties.items()
        )
        kept = [
            e
            for e in restored
            if all((e.ref, name) in done for name in self._fields(e) if name in wanted.get(e.ref, {}))
        ]
        self.store.audit.append(kept)
        self.store.values.remember_sent(
            _model_values(kept), {ref: c.values for ref, c in current.items()}, at=self.at
        )
        self.store.intents.drop({e.ref for e in restored} | wanted.keys())
        return kept

    def _wanted(
        self, properties: Sequence[PropertyEntry], current: Mapping[RecordRef, CurrentValues]
    ) -> dict[RecordRef, dict[str, RawValue]]:
        """The earlier values to write: properties that still hold what the run wrote, and differ."""
        wanted: dict[RecordRef, dict[str, RawValue]] = defaultdict(dict)
        for entry in properties:
            if entry.ref not in current:
                self.report.fail(entry.ref, entry.property, "the record is gone (deleted or merged)")
                continue
            now = current[entry.ref].properties.get(entry.property)
            if now != entry.new:
                self.report.skip(entry, now)
            elif now != entry.old:
                wanted[entry.ref][entry.property] = _raw(entry.old)
            else:
                self.report.restore(entry.ref, entry.property)  # the run left it as it was
        return wanted

    def _restorable(
        self,
        properties: Sequence[PropertyEntry],
        entries: Sequence[AuditEntry],
        wanted: Mapping[RecordRef, Mapping[str, RawValue]],
    ) -> list[AuditEntry]:
        """The run's model values that go back in full: each property they were written to is
        restored or was left as it was (none was changed since)."""
        kept = {
            (p.ref, p.property) for p in properties if p.property in wanted.get(p.ref, {}) or p.new == p.old
        }
        skipped = {(p.ref, p.property) for p in properties} - kept
        return [
            AuditEntry(self.report.run_id, e.ref, e.field, e.new, e.old, "rollback", self.at)
            for e in entries
            if not any((e.ref, name) in skipped for name in self._fields(e))
        ]

    def _fields(self, entry: AuditEntry) -> tuple[str, ...]:
        write = self.connection.mapping.write.get(entry.ref.object_type)
        return tuple(t.field for t in write.targets.get(entry.field, ())) if write else ()

    def _written(
        self, wanted: Mapping[RecordRef, Mapping[str, RawValue]]
    ) -> list[tuple[Change, WriteResult]]:
        """Write the properties, the changes done; a record refused is written again one property
        at a time."""
        adapter = self.connection.adapter
        changes = [Change(ref, {}, properties=values) for ref, values in wanted.items()]
        results = list(adapter.apply(changes)) if changes else []
        done = [(c, r) for c, r in zip(changes, results, strict=True) if r.ok]
        refused = [(c, r) for c, r in zip(changes, results, strict=True) if not r.ok]
        for ref_change, result in refused:
            if len(ref_change.properties) == 1:
                name = next(iter(ref_change.properties))
                self.report.fail(result.ref, name, _refusal(result))
        several = [c for c, _ in refused if len(c.properties) > 1]
        for name in sorted({name for c in several for name in c.properties}):
            alone = [
                Change(c.ref, {}, properties={name: c.properties[name]})
                for c in several
                if name in c.properties
            ]
            for change, result in zip(alone, adapter.apply(alone), strict=True):
                if result.ok:
                    done.append((change, result))
                else:
                    self.report.fail(result.ref, name, _refusal(result))
        return done


def _raw(value: object) -> RawValue:
    """An audited value (decoded JSON) as a CRM property value."""
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _refusal(result: WriteResult) -> str:
    why = " ".join(filter(None, (result.code, result.message)))
    return f"not restorable: the CRM refuses the earlier value ({why})"


def _model_values(entries: Iterable[AuditEntry]) -> dict[RecordRef, dict[str, object]]:
    values: dict[RecordRef, dict[str, object]] = defaultdict(dict)
    for entry in entries:
        values[entry.ref][entry.field] = entry.new
    return values


def _restore_decided_stages(
    store: Store,
    restored: Sequence[AuditEntry],
    rolled: Run,
    report: RollbackReport,
    *,
    at: datetime,
) -> None:
    """Put back the stage leadsync had decided for each person whose stage the run moved, and
    the owner the run gave them with it.

    Stages only move forward, so a person left at the stage the run decided would get it
    written again by the next cycle, whatever the definitions; an owner the run assigned on
    entering a stage would be kept as "current" by the next cycle. A stage a human set is
    theirs: left alone. The people become due, so the next cycle decides them afresh.
    """
    people = store.links.people_of(e.ref for e in restored if e.field in ("stage", "owner"))
    stages = {stage.value: stage for stage in Stage}
    back: dict[PersonId, Stage] = {}
    owners: dict[PersonId, str | None] = {}
    for entry in restored:
        person, old = people.get(entry.ref), stages.get(str(entry.new))
        if entry.field == "stage" and person is not None and old is not None:
            back.setdefault(person, old)
        elif entry.field == "owner" and person is not None:
            owners.setdefault(person, None if entry.new is None else str(entry.new))
    states = store.persons.states(sorted(back))
    adopted: list[PersonState] = []
    history: list[StageChange] = []
    for person, stage in back.items():
        state = states.get(person)
        if state is None or state.stage_set_by is not SetBy.LEADSYNC or state.stage is stage:
            continue
        before = [
            c
            for c in store.stage_history.of_person(person)
            if c.at < rolled.started_at and c.to_stage is stage
        ]
        set_by, entered = (before[-1].set_by, before[-1].at) if before else (SetBy.LEADSYNC, None)
        owner = owners.get(person, state.owner)
        adopted.append(
            replace(state, stage=stage, stage_set_by=set_by, stage_entered_at=entered, owner=owner)
        )
        history.append(
            StageChange(
                person, state.stage, stage, at, SetBy.LEADSYNC, f"rollback of run {report.rolled_back}"
            )
        )
    store.persons.set_states(adopted)
    store.stage_history.append(history)
