"""The runs read model: each run's figures as `leadsync runs`, the Overview page, `/api/runs`,
`/healthz` and `/metrics` show them, and when the schedule runs the next one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from leadsync.config import SyncSettings
from leadsync.engine.figures import FAILED_PREFIX
from leadsync.insights.schedule import describe, next_run_at
from leadsync.store import ApiCalls, Run, RunStatus, Store

__all__ = ["LOOKBACK", "RunStatus", "RunView", "RunsView", "finished_runs", "recent_runs", "runs_view"]

LOOKBACK: Final = 200
"""Runs searched for the last finished and the last successful one."""


@dataclass(frozen=True, slots=True)
class RunView:
    """One run: how it ended, how long it took, its counts and its API calls per CRM."""

    id: str
    pipeline: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    counts: Mapping[str, int]
    api_calls: Mapping[str, ApiCalls]

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish; None while the run is still going."""
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()

    @property
    def read(self) -> int:
        """Records read, in all CRMs."""
        return self.counts.get("read", 0)

    @property
    def written(self) -> int:
        """Records written, in all CRMs."""
        return self.counts.get("written", 0)

    @property
    def failed(self) -> int:
        """Records whose write failed, in all CRMs."""
        return self.counts.get("failed", 0)

    @property
    def quarantined(self) -> int:
        """Records quarantined, in all CRMs."""
        return self.counts.get("quarantined", 0)

    @property
    def failed_by_crm(self) -> dict[str, int]:
        """Records whose write failed, per CRM where some did."""
        return {
            name.removeprefix(FAILED_PREFIX): n
            for name, n in self.counts.items()
            if name.startswith(FAILED_PREFIX)
        }


@dataclass(frozen=True, slots=True)
class RunsView:
    """The latest runs, newest first, and when the schedule runs the next one."""

    schedule: str
    next_run_at: datetime | None
    runs: list[RunView]


def recent_runs(store: Store, *, limit: int, pipeline: str | None = None) -> list[RunView]:
    """The latest `limit` runs (of `pipeline`, else of every pipeline), newest first."""
    return [_view(run) for run in store.runs.recent(limit=limit, pipeline=pipeline)]


def runs_view(store: Store, sync: SyncSettings, *, now: datetime, limit: int) -> RunsView:
    """The latest `limit` runs of the configured pipeline, newest first, and the next scheduled one."""
    runs = recent_runs(store, limit=limit, pipeline=sync.pipeline)
    last_started = runs[0].started_at if runs else None
    return RunsView(describe(sync), next_run_at(sync, last_started_at=last_started, now=now), runs)


def finished_runs(store: Store, pipeline: str) -> list[RunView]:
    """The pipeline's finished runs among its latest LOOKBACK, newest first."""
    return [
        run
        for run in recent_runs(store, limit=LOOKBACK, pipeline=pipeline)
        if run.status is not RunStatus.RUNNING
    ]


def _view(run: Run) -> RunView:
    return RunView(
        run.id,
        run.pipeline,
        run.status,
        run.started_at,
        run.finished_at,
        dict(run.counts),
        dict(run.api_calls),
    )
