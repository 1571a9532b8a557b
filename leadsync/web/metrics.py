"""`/metrics`: Prometheus figures read from the state store at scrape time, on the app's own registry."""

from __future__ import annotations

from collections.abc import Iterator

import structlog
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from leadsync.insights import STORE_UNREACHABLE, PipelineFigures, RunView, pipeline_figures
from leadsync.web.context import Dashboard

__all__ = ["StoreCollector", "metrics_registry"]

_log = structlog.get_logger(__name__)
_RECORD_KINDS = ("read", "written", "failed", "quarantined")


class StoreCollector(Collector):
    """Runs, the last run's figures and API calls (and the CRMs' own limits) per CRM, quarantine
    and people per stage."""

    def __init__(self, dashboard: Dashboard) -> None:
        self._dashboard = dashboard

    def collect(self) -> Iterator[Metric]:
        """Every figure, read now; only `leadsync_store_up 0` when the store does not answer."""
        up = GaugeMetricFamily("leadsync_store_up", "1 when the state store answers, else 0")
        dashboard = self._dashboard
        try:
            figures = pipeline_figures(
                dashboard.store, dashboard.settings.sync, dashboard.definitions, now=dashboard.clock.now()
            )
        except STORE_UNREACHABLE as exc:
            _log.warning("metrics.store_unreachable", error=type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _families(figures)


def _families(figures: PipelineFigures) -> Iterator[Metric]:
    total = CounterMetricFamily("leadsync_runs", "Runs of this pipeline, by status", labels=["status"])
    for status, count in figures.runs_by_status.items():
        total.add_metric([status.value], count)
    yield total
    if figures.last_run is not None:
        yield from _last_run(figures.last_run)
    quarantined = GaugeMetricFamily(
        "leadsync_quarantined_records", "Records in quarantine now, per CRM", labels=["crm"]
    )
    for crm, count in figures.quarantined_by_crm.items():
        quarantined.add_metric([crm], count)
    yield quarantined
    people = GaugeMetricFamily("leadsync_people", "People per canonical stage now", labels=["stage"])
    records = GaugeMetricFamily(
        "leadsync_records", "Records holding each stage, per CRM", labels=["crm", "stage"]
    )
    for stage in figures.stages:
        people.add_metric([stage.stage], stage.people)
        for crm, held in sorted(stage.by_crm.items()):
            records.add_metric([crm, stage.stage], held)
    yield people
    yield records


def _last_run(last: RunView) -> Iterator[Metric]:
    duration = GaugeMetricFamily("leadsync_last_run_duration_seconds", "How long the last finished run took")
    duration.add_metric([], last.duration_s or 0.0)
    finished_at = GaugeMetricFamily(
        "leadsync_last_run_finished_timestamp_seconds", "When the last finished run ended (Unix time)"
    )
    finished_at.add_metric([], (last.finished_at or last.started_at).timestamp())
    records = GaugeMetricFamily(
        "leadsync_last_run_records", "Records of the last finished run, per CRM", labels=["crm", "kind"]
    )
    for crm in sorted(last.api_calls):
        for kind in _RECORD_KINDS:
            records.add_metric([crm, kind], last.counts.get(f"{kind}.{crm}", 0))
    calls = GaugeMetricFamily("leadsync_last_run_api_calls", "API calls of the last run", labels=["crm"])
    minimum = GaugeMetricFamily(
        "leadsync_last_run_api_calls_minimum",
        "The fewest API calls the last run's work needed",
        labels=["crm"],
    )
    limit_used = GaugeMetricFamily(
        "leadsync_api_limit_used", "The CRM's own count of API calls in its window", labels=["crm"]
    )
    limit = GaugeMetricFamily("leadsync_api_limit", "The CRM's API allowance in that window", labels=["crm"])
    for crm, used in sorted(last.api_calls.items()):
        calls.add_metric([crm], used.calls)
        minimum.add_metric([crm], used.minimum)
        if used.used is not None and used.limit is not None:
            limit_used.add_metric([crm], used.used)
            limit.add_metric([crm], used.limit)
    yield from (duration, finished_at, records, calls, minimum, limit_used, limit)


def metrics_registry(collector: StoreCollector) -> CollectorRegistry:
    """A registry of its own for one app: several apps in one process never collide."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry
