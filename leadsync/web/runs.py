"""The runs the state store keeps, as the Overview page and `/api/runs` show them."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from leadsync.config import SyncSettings
from leadsync.store import Run, Store
from leadsync.web.models import ApiCallsOut, RunOut, RunsOut
from leadsync.web.schedule import describe, next_run_at

__all__ = ["RUNS_SHOWN", "run_out", "runs_out"]

RUNS_SHOWN: Final = 20


def runs_out(store: Store, sync: SyncSettings, *, now: datetime, limit: int = RUNS_SHOWN) -> RunsOut:
    """The latest `limit` runs of the configured pipeline, newest first, and the next scheduled one."""
    runs = store.runs.recent(limit=limit, pipeline=sync.pipeline)
    last_started = runs[0].started_at if runs else None
    return RunsOut(
        schedule=describe(sync),
        next_run_at=next_run_at(sync, last_started_at=last_started, now=now),
        runs=[run_out(run) for run in runs],
    )


def run_out(run: Run) -> RunOut:
    """One run's figures."""
    counts = dict(run.counts)
    return RunOut(
        id=run.id,
        pipeline=run.pipeline,
        status=run.status.value,
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_s=None if run.finished_at is None else (run.finished_at - run.started_at).total_seconds(),
        read=counts.get("read", 0),
        written=counts.get("written", 0),
        failed=counts.get("failed", 0),
        quarantined=counts.get("quarantined", 0),
        counts=counts,
        api_calls={crm: ApiCallsOut.model_validate(calls) for crm, calls in run.api_calls.items()},
    )
