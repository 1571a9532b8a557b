"""Read models over the state store, shared by the CLI and the dashboard: runs, quarantine, people,
the funnel (stage counts, conversions, time in stage, SLA, volume), health and metrics.

Neither the CLI nor the web reads the store otherwise: each figure is derived once, here.
"""

from leadsync.insights.funnel import HeldCount, funnel_report, records_held
from leadsync.insights.health import STORE_UNREACHABLE, Health, health
from leadsync.insights.metrics import PipelineFigures, pipeline_figures
from leadsync.insights.person import featured_person, person_view
from leadsync.insights.quarantine import QuarantineEntry, QuarantineView, WriteFailureEntry, quarantine_view
from leadsync.insights.report import Conversion, FunnelReport, SlaBreach, StageCount, TimeInStage
from leadsync.insights.runs import RunStatus, RunsView, RunView, finished_runs, recent_runs, runs_view

__all__ = [
    "STORE_UNREACHABLE",
    "Conversion",
    "FunnelReport",
    "Health",
    "HeldCount",
    "PipelineFigures",
    "QuarantineEntry",
    "QuarantineView",
    "RunStatus",
    "RunView",
    "RunsView",
    "SlaBreach",
    "StageCount",
    "TimeInStage",
    "WriteFailureEntry",
    "featured_person",
    "finished_runs",
    "funnel_report",
    "health",
    "person_view",
    "pipeline_figures",
    "quarantine_view",
    "recent_runs",
    "records_held",
    "runs_view",
]
