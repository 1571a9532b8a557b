"""`rollback RUN_ID`: put back the values a run overwrote, except those a human changed since.

The rollback is a run of its own, with its audit entries, so it can itself be rolled back.
What each CRM holds is read live: a field that no longer holds what the run wrote was
changed by someone since, and is listed and left alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from leadsync.adapter_api import AdapterError, Change
from leadsync.clock import Clock
from leadsync.connections import Connection
from leadsync.exceptions import LeadsyncError
from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store import ApiCalls, AuditEntry, PersonId, PersonState, Run, RunStatus, StageChange, Store

__all__ = ["RollbackReport", "rollback"]


@dataclass(slots=True)
class RollbackReport:
    """What a rollback restored, what it left because a human changed it, and what failed."""

    run_id: str
    rolled_back: str
    restored: int = 0  # values
    records: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "run_id": self.run_id,
            "rolled_back": self.rolled_back,
            "restored": self.restored,
            "records": self.records,
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
        entries = store.audit.overwritten_by(run_id)
        restored: list[Change] = []
        for crm, crm_entries in _by_crm(entries).items():
            connection = by_name.get(crm)
            if connection is None:
                report.failed.append(f"{crm}: not configured now; {len(crm_entries)} values not restored")
                continue
            restored += _restore(store, connection, crm_entries, report, at=at)
        _restore_decided_stages(store, restored, rolled, report, at=at)
        status = RunStatus.PARTIAL if report.failed else RunStatus.SUCCEEDED
        store.runs.finish(
            run.id,
            status,
            at=clock.now(),
            counts={"restored": report.restored, "written": report.records, "skipped": len(report.skipped)},
            api_calls={
                c.name: ApiCalls(
                    c.adapter.usage().calls - calls[c.name], c.adapter.usage().calls - calls[c.name]
                )
                for c in connections
            },
        )
    return report


def _by_crm(entries: Sequence[AuditEntry]) -> dict[str, list[AuditEntry]]:
    grouped: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.ref.crm].append(entry)
    return grouped


def _restore(
    store: Store,
    connection: Connection,
    entries: Sequence[AuditEntry],
    report: RollbackReport,
    *,
    at: Any,  # noqa: ANN401
) -> list[Change]:
    """Write back what the entries replaced; the changes written."""
    refs = sorted({e.ref for e in entries})
    try:
        held = {c.ref: c.values for c in connection.adapter.read_current(refs)}
        active = {owner.email for owner in connection.adapter.owners() if owner.active}
        restore: dict[RecordRef, dict[str, object]] = defaultdict(dict)
        for entry in entries:
            now = held.get(entry.ref, {}).get(entry.field)
            if now != entry.new:
                report.skipped.append(
                    {
                        "record": str(entry.ref),
                        "field": entry.field,
                        "run_wrote": _shown(entry.new),
                        "now": _shown(now),
                    }
                )
            elif entry.field == "owner" and entry.old not in active:
                why = "no earlier owner" if entry.old is None else f"{entry.old} is no active user now"
                report.skipped.append(
                    {"record": str(entry.ref), "field": "owner", "run_wrote": _shown(entry.new), "now": why}
                )
            else:
                restore[entry.ref][entry.field] = entry.old
        changes = [
            Change(ref, values, {k: held[ref].get(k) for k in values}) for ref, values in restore.items()
        ]
        # Kept before the send, like a cycle's writes: a crash after it is read back as our echo.
        store.intents.declare(_audit(report.run_id, changes, at))
        results = list(connection.adapter.apply(changes)) if changes else []
    except AdapterError as exc:
        report.failed.append(f"{connection.name}: {type(exc).__name__}: {exc}")
        return []
    done = [change for change, result in zip(changes, results, strict=True) if result.ok]
    report.failed += [f"{r.ref}: {r.code} {r.message}".strip() for r in results if not r.ok]
    report.records += len(done)
    report.restored += sum(len(change.values) for change in done)
    store.audit.append(_audit(report.run_id, done, at))
    written: Mapping[RecordRef, Mapping[str, object]] = {c.ref: c.values for c in done}
    store.values.remember_sent(written, held, at=at)
    store.intents.drop(c.ref for c in changes)
    return done


def _audit(run_id: str, changes: Sequence[Change], at: Any) -> list[AuditEntry]:  # noqa: ANN401
    return [
        AuditEntry(run_id, c.ref, name, c.previous.get(name), value, "rollback", at)
        for c in changes
        for name, value in c.values.items()
    ]


def _restore_decided_stages(
    store: Store,
    restored: Sequence[Change],
    rolled: Run,
    report: RollbackReport,
    *,
    at: Any,  # noqa: ANN401
) -> None:
    """Put back the stage leadsync had decided for each person whose stage the run moved.

    Stages only move forward, so a person left at the stage the run decided would get it
    written again by the next cycle, whatever the definitions. A stage a human set is theirs:
    left alone. The people become due, so the next cycle decides them afresh.
    """
    people = store.links.people_of(c.ref for c in restored if "stage" in c.values)
    stages = {stage.value: stage for stage in Stage}
    back: dict[PersonId, Stage] = {}
    for change in restored:
        person, old = people.get(change.ref), stages.get(str(change.values.get("stage")))
        if person is not None and old is not None:
            back.setdefault(person, old)
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
        adopted.append(replace(state, stage=stage, stage_set_by=set_by, stage_entered_at=entered))
        history.append(
            StageChange(
                person, state.stage, stage, at, SetBy.LEADSYNC, f"rollback of run {report.rolled_back}"
            )
        )
    store.persons.set_states(adopted)
    store.stage_history.append(history)


def _shown(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value
