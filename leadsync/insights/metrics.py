"""The metrics read model: the figures `/metrics` exposes, read from the state store at scrape time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadsync.config import SyncSettings
from leadsync.definitions import Definitions
from leadsync.insights.funnel import funnel_report
from leadsync.insights.report import StageCount
from leadsync.insights.runs import RunView, finished_runs
from leadsync.store import RunStatus, Store

__all__ = ["PipelineFigures", "pipeline_figures"]


@dataclass(frozen=True, slots=True)
class PipelineFigures:
    """Runs per status, the last finished run, quarantined records per CRM, people and records per stage."""

    runs_by_status: dict[RunStatus, int]
    last_run: RunView | None
    quarantined_by_crm: dict[str, int]
    stages: list[StageCount]


def pipeline_figures(
    store: Store, sync: SyncSettings, definitions: Definitions, *, now: datetime
) -> PipelineFigures:
    """The configured pipeline's figures at `now`."""
    finished = finished_runs(store, sync.pipeline)
    return PipelineFigures(
        runs_by_status=store.runs.counts_by_status(sync.pipeline),
        last_run=finished[0] if finished else None,
        quarantined_by_crm=store.quarantine.counts_by_crm(),
        stages=funnel_report(store, definitions, now=now).stages,
    )
