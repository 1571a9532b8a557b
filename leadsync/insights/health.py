"""The health read model: does the state store answer, did the last run succeed, is it recent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

import structlog
from sqlalchemy.exc import SQLAlchemyError

from leadsync.config import SyncSettings
from leadsync.insights.runs import RunView, finished_runs
from leadsync.insights.schedule import describe, stale_after
from leadsync.store import RunStatus, Store, StoreError

__all__ = ["STORE_UNREACHABLE", "Health", "health"]

_log = structlog.get_logger(__name__)

STORE_UNREACHABLE: Final = (SQLAlchemyError, StoreError)
"""What a read model raises when the state store does not answer."""


@dataclass(frozen=True, slots=True)
class Health:
    """Whether the sync is healthy, and why not."""

    healthy: bool
    store_reachable: bool
    last_run_status: str | None = None
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    lag_s: float | None = None  # seconds since the last successful run finished
    stale_after: datetime | None = None  # when the lag turns unhealthy
    problems: list[str] = field(default_factory=list)


def health(store: Store, sync: SyncSettings, *, now: datetime) -> Health:
    """Healthy when the store answers, the last finished run did not fail, and a run succeeded
    recently enough for the schedule (see `schedule.stale_after`)."""
    try:
        finished = finished_runs(store, sync.pipeline)
    except STORE_UNREACHABLE as exc:
        _log.warning("health.store_unreachable", error=type(exc).__name__)
        problem = f"the state store {store.url} does not answer ({type(exc).__name__})"
        return Health(healthy=False, store_reachable=False, problems=[problem])
    last = finished[0] if finished else None
    success = next((run for run in finished if run.status is RunStatus.SUCCEEDED), None)
    success_at = _finished_at(success)
    deadline = None if success_at is None else stale_after(sync, success_at)
    problems: list[str] = []
    if last is not None and last.status is RunStatus.FAILED:
        problems.append(f"the last run {last.id} failed; see `leadsync runs` and the daemon's log")
    if success_at is None:
        problems.append("no run has succeeded yet; is the daemon (`leadsync run`) running?")
    elif deadline is not None and now > deadline:
        problems.append(
            f"the last successful run finished at {success_at.isoformat()}, "
            f"longer ago than the schedule ({describe(sync)}) allows"
        )
    return Health(
        healthy=not problems,
        store_reachable=True,
        last_run_status=None if last is None else last.status.value,
        last_run_at=None if last is None else last.started_at,
        last_success_at=success_at,
        lag_s=None if success_at is None else (now - success_at).total_seconds(),
        stale_after=deadline,
        problems=problems,
    )


def _finished_at(run: RunView | None) -> datetime | None:
    return None if run is None else run.finished_at or run.started_at
