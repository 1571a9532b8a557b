"""The sync engine in a benchmark worker process: one cycle per call, with its figures.

`EngineRunner(crms)` syncs the CRMs of `crms` (name -> `[crm.<name>]` settings) into a fresh
SQLite state store (or the one at `state_url`), on the system clock as `leadsync sync` would
(or on the `clock` given, the adapters waiting through `sleep`: a `ManualClock`'s moves it
instead of waiting).
`naive=True` makes it the naive baseline: every cycle re-reads everything (cursors dropped)
and each changed record costs its own update call (the adapters' `apply` is called once per
record).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from leadsync.adapter_api import Adapter, Change, WriteResult
from leadsync.clock import Clock, SystemClock
from leadsync.config import Settings
from leadsync.connections import Connection, connect_all
from leadsync.definitions import load_definitions
from leadsync.engine import CycleReport, SyncEngine
from leadsync.store import Store
from leadsync.store.schema import cursors

__all__ = ["EngineRunner", "figures_of"]


class OneCallPerRecord:
    """An adapter whose writes go one record per call (the naive baseline); the rest is the adapter's."""

    write_batch_size = 1

    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter
        self.name = adapter.name

    def apply(self, changes: Sequence[Change]) -> Iterable[WriteResult]:
        """Each change in its own call."""
        return [result for change in changes for result in self._adapter.apply([change])]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)


class EngineRunner:
    """One pipeline over the given CRMs and a fresh SQLite state store."""

    def __init__(
        self,
        crms: dict[str, dict[str, Any]],
        *,
        naive: bool = False,
        connections: list[Connection] | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        state_url: str | None = None,
    ) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="leadsync-bench-")
        state_url = state_url or f"sqlite:///{Path(self._folder.name) / 'state.db'}"
        self.settings = Settings.model_validate({"sync": {"state_url": state_url}, "crm": crms})
        self.store = Store.open(state_url)
        self.definitions = load_definitions()
        self.clock, self.sleep = clock or SystemClock(), sleep
        self.naive = naive
        self._connections: list[Connection] | None = None

    def use_connections(self, connections: list[Connection]) -> None:
        """Sync these connections (kept across cycles) rather than the config's CRMs."""
        self._connections = connections

    def cycle(self) -> dict[str, Any]:
        """Run one cycle with fresh clients; its figures (see `figures_of`)."""
        if self.naive:
            with self.store.engine.begin() as conn:
                conn.execute(delete(cursors))  # a full re-read every cycle
        connections = self._connections or connect_all(self.settings, clock=self.clock, sleep=self.sleep)
        if self.naive:
            connections = [
                Connection(c.name, OneCallPerRecord(c.adapter), c.mapping, c.settings) for c in connections
            ]
        engine = SyncEngine(self.settings, self.store, connections, self.definitions, self.clock)
        started = time.perf_counter()
        report = engine.sync(allow_large_change=True)
        return figures_of(report, time.perf_counter() - started)

    def people(self) -> int:
        """How many people the state store knows."""
        return self.store.persons.count()

    def close(self) -> None:
        """Close the store and remove it."""
        self.store.close()
        self._folder.cleanup()


def figures_of(report: CycleReport, wall_s: float) -> dict[str, Any]:
    """A cycle's figures as plain values: wall time, and per CRM reads, writes, calls and their minimum."""
    minimum = report.api_calls()
    return {
        "wall_s": wall_s,
        "status": report.status.value,
        "evaluated": report.evaluated,
        "crms": {
            name: {
                "read": f.read,
                "activities": f.activities,
                "changed": f.planned,
                "writes": f.writes,
                "write_calls": f.write_calls,
                "write_calls_min": f.write_calls_min,
                "api_calls": f.api_calls,
                "minimum": minimum[name].minimum,
                "failed": f.failed,
                "errors": len(f.errors),
            }
            for name, f in report.crms.items()
        },
    }
