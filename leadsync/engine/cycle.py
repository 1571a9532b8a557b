"""One sync cycle, as in DESIGN.md: lease, read, link, evaluate, plan, write, audit, commit.

Reads are stored page by page (the people they touch become due), then the due people are
evaluated in batches and their changes written in whole batches; cursors move only once
the writes and the audit are stored. A crash anywhere leaves people due or cursors behind,
and the next cycle redoes the work; writes are idempotent, echoes plan nothing. What a
batch will write is kept before it is sent (write intents), so a value that reached a CRM
unrecorded is read back as leadsync's own, audited once, not taken for a human's change.
A run a dead process left `running` is marked failed by the next one to take the lease.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from leadsync.adapter_api import AdapterError, AuthError, Estimating, TransientError
from leadsync.clock import Clock
from leadsync.config import GuardSettings, Settings
from leadsync.connections import Connection
from leadsync.definitions import Definitions, valid_owners
from leadsync.engine.deciding import Decider, Writable
from leadsync.engine.evaluating import Impact, batches, evaluations
from leadsync.engine.explaining import explain
from leadsync.engine.figures import CycleReport
from leadsync.engine.reading import Progress, Reader
from leadsync.engine.rollback import RollbackReport, rollback
from leadsync.engine.writing import Mode, Writer
from leadsync.exceptions import LeadsyncError
from leadsync.model import Cursor, Owner, RecordRef
from leadsync.store import PersonId, RunStatus, Store
from leadsync.systems_of_record import SystemsOfRecord

__all__ = ["SyncEngine"]

_log = structlog.get_logger("leadsync.engine")
_SHARE_FLOOR = 10  # a share alone never blocks fewer changes than this


def _never() -> bool:
    return False


def _quiet(_crm: str, _phase: str, _done: int, _total: int | None) -> None:
    return None


@dataclass
class SyncEngine:
    """A pipeline: its CRMs, its definitions and its state store, and what can be done with them."""

    settings: Settings
    store: Store
    connections: Sequence[Connection]
    definitions: Definitions
    clock: Clock
    progress: Progress = _quiet
    _by_name: dict[str, Connection] = field(init=False)
    _systems: SystemsOfRecord = field(init=False)

    def __post_init__(self) -> None:
        self._by_name = {c.name: c for c in self.connections}
        self._systems = SystemsOfRecord(self.settings.native_sync)

    @property
    def pipeline(self) -> str:
        """The pipeline's name (its lease and its runs)."""
        return self.settings.sync.pipeline

    def sync(
        self, *, dry_run: bool = False, allow_large_change: bool = False, stop: Callable[[], bool] = _never
    ) -> CycleReport:
        """Run one cycle under the pipeline's lease; LeaseHeld if another runner has it."""
        mode = (
            Mode.DRY
            if dry_run or self.settings.sync.dry_run
            else Mode.SHADOW
            if self.settings.guard.shadow
            else Mode.WRITE
        )
        with self.store.lease(self.pipeline):
            at = self.clock.now()
            started = time.perf_counter()
            abandoned = self.store.runs.abandon_running(self.pipeline, at=at)
            run = self.store.runs.start(self.pipeline, at=at)
            report = CycleReport(run.id, dry_run=mode is Mode.DRY, shadow=mode is Mode.SHADOW)
            # Every event of the cycle, the adapters' included, carries the run id; unbound after.
            with structlog.contextvars.bound_contextvars(run_id=run.id, pipeline=self.pipeline):
                if abandoned:  # their process died under the lease this one now holds
                    _log.warning("cycle.runs_abandoned", runs=abandoned, status=RunStatus.FAILED.value)
                _log.info("cycle.started", mode=mode.value)
                calls = {c.name: c.adapter.usage().calls for c in self.connections}
                try:
                    self._cycle(report, mode, at, allow_large_change=allow_large_change, stop=stop)
                except LeadsyncError as exc:  # said in full by its message: no traceback
                    report.status = RunStatus.FAILED
                    _log.error("cycle.failed", error=type(exc).__name__, reason=str(exc))
                    raise
                except Exception:
                    report.status = RunStatus.FAILED
                    _log.exception("cycle.failed")
                    raise
                finally:
                    for connection in self.connections:
                        usage, figures = connection.adapter.usage(), report.crm(connection.name)
                        figures.api_calls = usage.calls - calls[connection.name]
                        figures.api_used, figures.api_limit = usage.used, usage.limit
                        figures.warnings = list(usage.skipped)
                    report.wall_s = time.perf_counter() - started
                    self.store.runs.finish(
                        run.id,
                        report.status,
                        at=self.clock.now(),
                        counts=report.counts(),
                        api_calls=report.api_calls(),
                    )
                _log.info(
                    "cycle.finished",
                    status=report.status.value,
                    wall_s=round(report.wall_s, 3),
                    **report.counts(),
                )
                return report

    def plan(self, definitions: Definitions | None = None) -> Impact:
        """What a cycle would write now, writing nothing: the CRMs' changes are read (cursors
        stay where they are), then the due people are evaluated.

        With other `definitions`, the stored data is not refreshed and everyone is evaluated
        by them: the impact of adopting them.
        """
        chosen = definitions or self.definitions
        with self.store.lease(self.pipeline):
            at = self.clock.now()
            owners = self._crm_owners(CycleReport("plan"))
            if definitions is None:
                self._read_all(CycleReport("plan"), owners, at, _never)
            everyone = definitions is not None or self.store.definitions_version.get() != chosen.version
            decider = self._decider(chosen, at, owners)
            impact = Impact()
            for evaluation in evaluations(self.store, decider, batches(self.store, None if everyone else at)):
                impact.add(evaluation)
            for c in self.connections:
                if isinstance(c.adapter, Estimating):
                    impact.costs[c.name] = c.adapter.estimate(impact.records[c.name])
        return impact

    def explain(self, email: str) -> dict[str, Any] | None:
        """Everything about the person with this e-mail as of now, or None if unknown."""
        report = CycleReport("explain")
        decider = self._decider(self.definitions, self.clock.now(), self._crm_owners(report))
        return explain(self.store, decider, self.connections, email)

    def rollback(self, run_id: str) -> RollbackReport:
        """Restore the values run `run_id` overwrote, except those changed by a human since."""
        return rollback(self.store, self.connections, self.clock, pipeline=self.pipeline, run_id=run_id)

    # -- inside ---------------------------------------------------------------------------------

    def _cycle(
        self,
        report: CycleReport,
        mode: Mode,
        at: datetime,
        *,
        allow_large_change: bool,
        stop: Callable[[], bool],
    ) -> None:
        if self.store.definitions_version.get() != self.definitions.version:
            self.store.persons.mark_all_due()
        owners = self._crm_owners(report)
        reached, complete = self._read_all(report, owners, at, stop)
        decider = self._decider(self.definitions, at, owners)
        # Reads that ended early (a stop, a spent budget) leave people half read (a CRM's
        # activities not yet): deciding them now would write what the next cycle takes back,
        # enough to trip the blast-radius guard. They stay due; the stored pages' cursors move.
        stopped = stop() or not complete
        if mode is Mode.WRITE and not allow_large_change and not stopped:
            report.blocked = self._blast_radius(decider, at)
        if report.blocked:
            report.status = RunStatus.PARTIAL
            _log.warning("cycle.blocked", run_id=report.run_id, reason=report.blocked)
        elif not stopped:
            self._evaluate_and_write(report, mode, decider, stop)
        if mode is not Mode.DRY:
            for crm, cursors in reached.items():
                for stream, cursor in cursors.items():
                    self.store.cursors.commit(crm, cursor, stream)
        if report.refused:  # nobody is decided until a person fixes the credentials: a failure
            report.status = RunStatus.FAILED
        elif report.status is RunStatus.RUNNING:
            stopped = stop() or any(f.errors for f in report.crms.values())
            report.status = RunStatus.PARTIAL if stopped else RunStatus.SUCCEEDED

    def _read_all(
        self,
        report: CycleReport,
        owners: Mapping[str, object],
        at: datetime,
        stop: Callable[[], bool],
    ) -> tuple[dict[str, dict[str, Cursor]], bool]:
        """Read every reachable CRM into the store: the cursors reached, and whether all reads ended."""
        reader = Reader(self.store, at, self.progress, stop, self._systems)
        # A CRM out of reach: its people are decided once it is read, not from the others alone.
        readable = [c for c in self.connections if c.name in owners]
        read = reader.read_all(readable, report.crm) if not stop() else []
        reached = {c.name: cursors for c, (cursors, _) in zip(readable, read, strict=False)}
        complete = len(read) == len(self.connections) and all(done for _, done in read)
        return reached, complete

    def _evaluate_and_write(
        self, report: CycleReport, mode: Mode, decider: Decider, stop: Callable[[], bool]
    ) -> None:
        writer = Writer(self.store, self._by_name, report, mode, self.definitions.version, decider.as_of)
        total = self.store.persons.count_due(decider.as_of)
        for evaluation in evaluations(self.store, decider, self._pages(decider, stop)):
            report.evaluated += 1
            outcome = evaluation.outcome
            if outcome.stage_change is not None:
                report.stage_changes += 1
            writer.add(
                outcome.person, evaluation.changes, outcome.update, outcome.stage_change, decider.round_robin
            )
            if report.evaluated % 500 == 0:
                self.progress("all", "evaluate", report.evaluated, total)
        writer.finish()
        self.progress("all", "evaluate", report.evaluated, total)
        if mode is Mode.WRITE and not stop():  # round robin's positions were stored as people settled
            self.store.definitions_version.set(self.definitions.version)

    def _pages(self, decider: Decider, stop: Callable[[], bool]) -> Iterator[list[PersonId]]:
        for ids in batches(self.store, decider.as_of):
            yield ids
            if stop():
                return

    def _blast_radius(self, decider: Decider, at: datetime) -> str:
        """Why this run must not write (too many known records would change), or ""."""
        guard = self.settings.guard
        known = self.store.persons.count_written()
        if not _could_exceed(guard, self.store.persons.count_written(due_before=at), known):
            return ""
        probe = Decider(
            self.definitions,
            as_of=at,
            writable=decider.writable,
            active_owners=decider.active_owners,
            round_robin=decider.round_robin,
            systems=decider.systems,
        )
        impact = Impact()
        for evaluation in evaluations(self.store, probe, batches(self.store, at)):
            impact.add(evaluation)
        if not _could_exceed(guard, impact.guarded, known):
            return ""
        share = impact.guarded / known if known else 1.0
        return (
            f"{impact.guarded} records leadsync manages would change stage or owner "
            f"({share:.0%} of {known}); "
            f"the limits are {guard.max_changes or 'none'} records and {guard.max_share:.0%}. "
            "Nothing was written. Check `leadsync plan`, then run `leadsync sync --allow-large-change`"
        )

    def _decider(
        self, definitions: Definitions, at: datetime, owners: Mapping[str, tuple[Owner, ...]]
    ) -> Decider:
        queues = definitions.owners.queues
        decider = Decider(
            definitions,
            as_of=at,
            writable=self._writable_for(owners),
            active_owners={crm: valid_owners(listed, queues) for crm, listed in owners.items()},
            round_robin=self.store.round_robin.load(),
            systems=self._systems,
        )
        decider.wants_reasons(
            {name for c in self.connections for write in c.mapping.write.values() for name in write.targets}
        )
        return decider

    def _writable_for(self, up: Mapping[str, object]) -> Writable:
        def writable(ref: RecordRef, values: Mapping[str, object]) -> dict[str, object]:
            connection = self._by_name.get(ref.crm)
            return connection.takes(ref.object_type, values) if connection and ref.crm in up else {}

        return writable

    def _crm_owners(self, report: CycleReport) -> dict[str, tuple[Owner, ...]]:
        """Each reachable CRM's owners (the decider keeps the valid ones); a CRM that cannot be
        reached sits this cycle out."""
        owners: dict[str, tuple[Owner, ...]] = {}
        for connection in self.connections:
            try:
                owners[connection.name] = tuple(connection.adapter.owners())
            except (AuthError, TransientError, AdapterError) as exc:
                report.crm(connection.name).errors.append(f"skipped: {type(exc).__name__}: {exc}")
                if isinstance(exc, AuthError):
                    report.refused.append(connection.name)
        return owners


def _could_exceed(guard: GuardSettings, changes: int, known: int) -> bool:
    over_count = guard.max_changes > 0 and changes > guard.max_changes
    over_share = guard.max_share > 0 and known > 0 and changes > max(_SHARE_FLOOR, guard.max_share * known)
    return over_count or over_share
