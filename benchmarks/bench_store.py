"""The state store's CPU per 1,000 people: an initial sync, a settle cycle, a 10 %-changed cycle.

The engine syncs the synthetic CRM (`synthetic_source.py`) in a worker process; every call of
a store part (`store.persons.save_records`, `store.values.of`, ...) is timed on its thread's
CPU clock, so the figure is the store's own work (SQL building, the driver, the database in
process for SQLite) whatever else the engine or the shared machine does. PostgreSQL's server
side is not counted: its figure is the client's share. `LEADSYNC_BENCH_STORE_PEOPLE` sets the
people count (default 10,000); PostgreSQL runs when `LEADSYNC_BENCH_STORE_PG` (default the
local test server) is reachable, on 5,000 people or fewer.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from typing import Any, Final

from benchmarks.report import Figure
from benchmarks.workers import Worker

__all__ = ["StoreRunner", "run"]

PEOPLE: Final = int(os.environ.get("LEADSYNC_BENCH_STORE_PEOPLE", "10000"))
PG_URL: Final = os.environ.get("LEADSYNC_BENCH_STORE_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_PEOPLE_MAX: Final = 5_000
ACTIVITIES: Final = 3
CHANGED_EVERY: Final = 10  # one person in ten changes before the third cycle
CYCLES: Final = ("initial", "settle", "10 % changed")


class StoreRunner:
    """A synthetic sync whose store calls are timed on their thread's CPU clock."""

    def __init__(self, people: int, state_url: str | None = None) -> None:
        from benchmarks.synthetic_source import SyntheticAdapter, synthetic_runner  # noqa: PLC0415 - in the worker
        from leadsync.cli.collector import collect_less  # noqa: PLC0415

        self._runner = synthetic_runner(people, ACTIVITIES, state_url, echo=True)
        collect_less()  # as the `leadsync` command does
        connections = self._runner._connections or []  # noqa: SLF001 - the bench's own runner
        source = connections[0].adapter if connections else None
        if not isinstance(source, SyntheticAdapter):
            raise TypeError("the runner does not read the synthetic CRM")
        self._source = source
        self._spent = 0.0
        self._lock = threading.Lock()
        self._depth = threading.local()
        store = self._runner.store
        for name, part in vars(store).items():
            if type(part).__module__.startswith("leadsync.store"):
                for attribute in dir(part):
                    method = getattr(part, attribute)
                    if not attribute.startswith("_") and callable(method):
                        setattr(part, attribute, self._timed(method))
            elif name != "engine":
                raise TypeError(f"store.{name} is not a store part")

    def cycle(self, *, touch: bool = False) -> dict[str, Any]:
        """One cycle (after changing one person in ten if `touch`): store CPU seconds, evaluations."""
        if touch:
            self._source.touch(CHANGED_EVERY)
        self._spent = 0.0
        figures = self._runner.cycle()
        return {"store_s": self._spent, "evaluated": figures["evaluated"], "wall_s": figures["wall_s"]}

    def close(self) -> None:
        """Remove the store."""
        self._runner.close()

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def timed(*args: Any, **kwargs: Any) -> Any:
            depth = getattr(self._depth, "value", 0)
            if depth:  # a part calling another: counted once, by the outer call
                return method(*args, **kwargs)
            self._depth.value = 1
            started = time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                self._depth.value = 0
                with self._lock:
                    self._spent += spent

        return timed


def run() -> list[Figure]:
    """The three cycles on SQLite, and on PostgreSQL when it answers."""
    figures = _figures("SQLite", PEOPLE, None)
    url = _fresh_pg_database()
    if url is not None:
        figures += _figures("PostgreSQL", min(PEOPLE, PG_PEOPLE_MAX), url)
    return figures


def measure(people: int, state_url: str | None) -> list[dict[str, Any]]:
    """The three cycles' figures in a fresh worker process."""
    with Worker("benchmarks.bench_store:StoreRunner", people, state_url) as runner:
        return [runner.call("cycle", touch=name == CYCLES[2]) for name in CYCLES]


def _figures(database: str, people: int, state_url: str | None) -> list[Figure]:
    cycles = measure(people, state_url)
    return [
        Figure(
            f"store {database} {people:,}",
            f"store CPU per 1,000 people, {name} cycle",
            f"{cycle['store_s'] * 1000 / (people / 1000):,.0f} ms",
            f"{cycle['evaluated']:,} evaluated; cycle {cycle['wall_s']:.1f} s wall; synthetic CRM, "
            f"{ACTIVITIES} activities per person",
        )
        for name, cycle in zip(CYCLES, cycles, strict=True)
    ]


def _fresh_pg_database() -> str | None:
    """An empty `leadsync_bench` database on the PostgreSQL server, or None if none answers."""
    from sqlalchemy import create_engine, make_url, text  # noqa: PLC0415
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    try:
        engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS leadsync_bench WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE leadsync_bench"))
        engine.dispose()
    except (SQLAlchemyError, ImportError):
        return None
    return make_url(PG_URL).set(database="leadsync_bench").render_as_string(hide_password=False)


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.benchmark} | {figure.measure} | {figure.value} | {figure.note}")
