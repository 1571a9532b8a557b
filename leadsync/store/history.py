"""What happened: stage history for funnel analytics, runs and their figures, the audit log."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, Engine, Row, bindparam, func, insert, select, update

from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store.entries import ApiCalls, AuditEntry, PersonId, Run, RunStatus, StageChange, refs_in
from leadsync.store.schema import audit_log, runs, stage_history, write_intents
from leadsync.store.upsert import execute_many

__all__ = ["Audit", "Runs", "StageHistory"]

_APPEND_STAGE_CHANGE: Final = insert(stage_history).values(
    {name: bindparam(name) for name in ("person_id", "from_stage", "to_stage", "at", "set_by", "reason")}
)


class StageHistory:
    """Every stage change of every person: who moved, from where to where, when, by whom, why."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, changes: Iterable[StageChange]) -> None:
        """Record these stage changes."""
        rows = [
            {
                "person_id": c.person_id,
                "from_stage": None if c.from_stage is None else c.from_stage.value,
                "to_stage": c.to_stage.value,
                "at": c.at,
                "set_by": c.set_by.value,
                "reason": c.reason,
            }
            for c in changes
        ]
        if rows:
            with self._engine.begin() as conn:
                execute_many(conn, _APPEND_STAGE_CHANGE, rows)

    def of_person(self, person: PersonId) -> list[StageChange]:
        """The person's stage changes, oldest first."""
        return self._select(stage_history.c.person_id == person)

    def between(self, since: datetime, until: datetime) -> list[StageChange]:
        """Every stage change with `since <= at < until`, oldest first."""
        return self._select(stage_history.c.at >= since, stage_history.c.at < until)

    def _select(self, *where: ColumnElement[bool]) -> list[StageChange]:
        query = select(stage_history).where(*where).order_by(stage_history.c.at, stage_history.c.id)
        with self._engine.connect() as conn:
            return [stage_change_of(row) for row in conn.execute(query)]


class Runs:
    """Cycles and rollbacks, with their status, counts and API calls per CRM."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start(self, pipeline: str, *, at: datetime) -> Run:
        """Record a new running run and return it (its id is fresh)."""
        run = Run(id=uuid.uuid4().hex, pipeline=pipeline, started_at=at)
        with self._engine.begin() as conn:
            conn.execute(insert(runs).values(_run_row(run)))
        return run

    def finish(
        self,
        run_id: str,
        status: RunStatus,
        *,
        at: datetime,
        counts: Mapping[str, int],
        api_calls: Mapping[str, ApiCalls],
    ) -> None:
        """Record how the run ended and its figures."""
        values = _run_row(Run(run_id, "", at, status, at, counts, api_calls))
        del values["id"], values["pipeline"], values["started_at"]
        with self._engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(values))

    def abandon_running(self, pipeline: str, *, at: datetime) -> list[str]:
        """Mark the pipeline's runs still `running` as failed: call under its lease, where no other
        runner can be at work, so they are runs whose process died. Their ids, oldest first."""
        query = (
            select(runs.c.id)
            .where(runs.c.pipeline == pipeline, runs.c.status == RunStatus.RUNNING.value)
            .order_by(runs.c.started_at)
        )
        with self._engine.begin() as conn:
            dead = list(conn.scalars(query))
            if dead:
                conn.execute(
                    update(runs)
                    .where(runs.c.id.in_(dead))
                    .values(status=RunStatus.FAILED.value, finished_at=at)
                )
        return dead

    def get(self, run_id: str) -> Run | None:
        """The run with this id, if any."""
        with self._engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).one_or_none()
        return None if row is None else _run_from_row(row)

    def recent(self, *, limit: int = 20, pipeline: str | None = None) -> list[Run]:
        """The latest runs, newest first."""
        query = select(runs).order_by(runs.c.started_at.desc(), runs.c.id).limit(limit)
        if pipeline is not None:
            query = query.where(runs.c.pipeline == pipeline)
        with self._engine.connect() as conn:
            return [_run_from_row(row) for row in conn.execute(query)]

    def counts_by_status(self, pipeline: str) -> dict[RunStatus, int]:
        """The pipeline's runs per status (every status, 0 when none)."""
        query = select(runs.c.status, func.count()).where(runs.c.pipeline == pipeline).group_by(runs.c.status)
        with self._engine.connect() as conn:
            counts = {str(status): int(count) for status, count in conn.execute(query)}
        return {status: counts.get(status.value, 0) for status in RunStatus}


def _run_row(run: Run) -> dict[str, object]:
    return {
        "id": run.id,
        "pipeline": run.pipeline,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": run.status.value,
        "counts": dict(run.counts),
        "api_calls": {
            crm: {"calls": c.calls, "minimum": c.minimum, "used": c.used, "limit": c.limit}
            for crm, c in run.api_calls.items()
        },
    }


def _run_from_row(row: Row[tuple[object, ...]]) -> Run:
    return Run(
        id=row.id,
        pipeline=row.pipeline,
        started_at=row.started_at,
        status=RunStatus(row.status),
        finished_at=row.finished_at,
        counts=dict(row.counts),
        api_calls={
            crm: ApiCalls(c["calls"], c["minimum"], c.get("used"), c.get("limit"))
            for crm, c in row.api_calls.items()
        },
    )


class Audit:
    """Every value leadsync wrote (old → new) under its run: the basis of rollback."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, entries: Iterable[AuditEntry]) -> None:
        """Record these written values."""
        rows = [
            {
                "run_id": e.run_id,
                "crm": e.ref.crm,
                "object_type": e.ref.object_type,
                "record_id": e.ref.record_id,
                "field": e.field,
                "old_value": e.old,
                "new_value": e.new,
                "definitions_version": e.definitions_version,
                "at": e.at,
                "applied": e.applied,
            }
            for e in entries
        ]
        if rows:
            with self._engine.begin() as conn:
                conn.execute(insert(audit_log), rows)

    def append_intents(self, refs: Iterable[RecordRef], *, run_id: str) -> None:
        """Record as written the values run `run_id` declared for these records (`WriteIntents`).

        The database copies the intents' rows: their values are not encoded a second time.
        """
        columns = [column.name for column in write_intents.columns if column.name in audit_log.c]
        declared = (
            select(*(write_intents.c[name] for name in columns))
            .where(write_intents.c.run_id == run_id)
            .order_by(*write_intents.primary_key)
        )
        with self._engine.begin() as conn:
            for where in refs_in(write_intents, list(refs)):
                conn.execute(insert(audit_log).from_select(columns, declared.where(where)))

    def missing(self, entries: Sequence[AuditEntry]) -> list[AuditEntry]:
        """Those of `entries` not yet recorded (no entry of the same run, record, field and value)."""
        if not entries:
            return []
        query = select(audit_log).where(audit_log.c.run_id.in_({e.run_id for e in entries}))
        recorded: set[tuple[str, RecordRef, str, str]] = set()
        with self._engine.connect() as conn:
            for where in refs_in(audit_log, list({e.ref for e in entries})):
                recorded.update(
                    (
                        row.run_id,
                        RecordRef(row.crm, row.object_type, row.record_id),
                        row.field,
                        repr(row.new_value),
                    )
                    for row in conn.execute(query.where(where))
                )
        return [e for e in entries if (e.run_id, e.ref, e.field, repr(e.new)) not in recorded]

    def of_run(self, run_id: str) -> list[AuditEntry]:
        """Everything the run wrote, in the order it was written."""
        return self._select(audit_log.c.run_id == run_id)

    def of_record(self, ref: RecordRef) -> list[AuditEntry]:
        """Everything written to one record, oldest first."""
        return self._select(
            audit_log.c.crm == ref.crm,
            audit_log.c.object_type == ref.object_type,
            audit_log.c.record_id == ref.record_id,
        )

    def overwritten_by(self, run_id: str) -> list[AuditEntry]:
        """The values the run replaced, one per (record, field): what a rollback restores.

        `old` is the value before the run, `new` the value the run left (a field written twice in
        one run yields one entry); a CRM value other than `new` now means someone changed it since.
        """
        net: dict[tuple[RecordRef, str], AuditEntry] = {}
        for entry in self.of_run(run_id):
            if not entry.applied:
                continue
            first = net.get((entry.ref, entry.field))
            net[entry.ref, entry.field] = (
                entry if first is None else dataclasses.replace(first, new=entry.new)
            )
        return list(net.values())

    def _select(self, *where: ColumnElement[bool]) -> list[AuditEntry]:
        query = select(audit_log).where(*where).order_by(audit_log.c.id)
        with self._engine.connect() as conn:
            return [audit_entry_of(row, applied=row.applied) for row in conn.execute(query)]


def stage_change_of(row: Row[tuple[object, ...]]) -> StageChange:
    """A `stage_history` row as a StageChange."""
    return StageChange(
        person_id=PersonId(row.person_id),
        from_stage=None if row.from_stage is None else Stage(row.from_stage),
        to_stage=Stage(row.to_stage),
        at=row.at,
        set_by=SetBy(row.set_by),
        reason=row.reason,
    )


def audit_entry_of(row: Row[tuple[object, ...]], *, applied: bool = True) -> AuditEntry:
    """A row shaped like `audit_log` (the audit, or a write intent) as an AuditEntry."""
    return AuditEntry(
        run_id=row.run_id,
        ref=RecordRef(row.crm, row.object_type, row.record_id),
        field=row.field,
        old=row.old_value,
        new=row.new_value,
        definitions_version=row.definitions_version,
        at=row.at,
        applied=applied,
    )
