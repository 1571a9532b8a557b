"""Read models over the state store, shared by the CLI and the dashboard: runs, quarantine, people,
the funnel (stage counts, conversions, time in stage, SLA, volume, cohorts, weekly trend, under
filters), health and metrics.

Neither the CLI nor the web reads the store otherwise: each figure is derived once, here.
"""

from leadsync.insights.filters import FilterChoices, filter_choices
from leadsync.insights.funnel import HeldCount, funnel_report, records_held
from leadsync.insights.health import STORE_UNREACHABLE, Health, health
from leadsync.insights.metrics import PipelineFigures, pipeline_figures
from leadsync.insights.person import featured_person, person_view
from leadsync.insights.pivot import FunnelPivot, PivotRow, funnel_pivot
from leadsync.insights.quarantine import QuarantineEntry, QuarantineView, WriteFailureEntry, quarantine_view
from leadsync.insights.report import (
    Cohort,
    Conversion,
    FunnelReport,
    SlaBreach,
    StageCount,
    TimeInStage,
    WeekEntries,
)
from leadsync.insights.runs import RunStatus, RunsView, RunView, finished_runs, recent_runs, runs_view
from leadsync.insights.views import Column, Kind, ReportView, ViewTable, view_table
from leadsync.store.analytics import Scope

__all__ = [
    "STORE_UNREACHABLE",
    "Cohort",
    "Column",
    "Conversion",
    "FilterChoices",
    "FunnelPivot",
    "FunnelReport",
    "Health",
    "HeldCount",
    "Kind",
    "PipelineFigures",
    "PivotRow",
    "QuarantineEntry",
    "QuarantineView",
    "ReportView",
    "RunStatus",
    "RunView",
    "RunsView",
    "Scope",
    "SlaBreach",
    "StageCount",
    "TimeInStage",
    "ViewTable",
    "WeekEntries",
    "WriteFailureEntry",
    "featured_person",
    "filter_choices",
    "finished_runs",
    "funnel_pivot",
    "funnel_report",
    "health",
    "person_view",
    "pipeline_figures",
    "quarantine_view",
    "recent_runs",
    "records_held",
    "runs_view",
    "view_table",
]
