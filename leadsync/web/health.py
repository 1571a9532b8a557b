"""`/healthz`: is the state store reachable, did the last run succeed, is the last success recent."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import structlog
from sqlalchemy.exc import SQLAlchemyError

from leadsync.config import SyncSettings
from leadsync.store import Run, RunStatus, Store, StoreError
from leadsync.web.models import HealthOut
from leadsync.web.schedule import describe, stale_after

__all__ = ["health"]

_log = structlog.get_logger(__name__)
_LOOKBACK: Final = 200  # runs searched for the last success


def health(store: Store, sync: SyncSettings, *, now: datetime) -> HealthOut:
    """Healthy when the store answers, the last finished run did not fail, and a run succeeded
    recently enough for the schedule (see `schedule.stale_after`)."""
    try:
        runs = store.runs.recent(limit=_LOOKBACK, pipeline=sync.pipeline)
    except (SQLAlchemyError, StoreError) as exc:
        _log.warning("health.store_unreachable", error=type(exc).__name__)
        return HealthOut(
            healthy=False,
            store_reachable=False,
            last_run_status=None,
            last_run_at=None,
            last_success_at=None,
            lag_s=None,
            stale_after=None,
            problems=[f"the state store {store.url} does not answer ({type(exc).__name__})"],
        )
    finished = [run for run in runs if run.status is not RunStatus.RUNNING]
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
    return HealthOut(
        healthy=not problems,
        store_reachable=True,
        last_run_status=None if last is None else last.status.value,
        last_run_at=None if last is None else last.started_at,
        last_success_at=success_at,
        lag_s=None if success_at is None else (now - success_at).total_seconds(),
        stale_after=deadline,
        problems=problems,
    )


def _finished_at(run: Run | None) -> datetime | None:
    return None if run is None else run.finished_at or run.started_at
