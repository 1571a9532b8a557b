"""`/metrics`: Prometheus figures read from the state store at scrape time, on the app's own registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import structlog
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from leadsync.config import SyncSettings
from leadsync.definitions import Definitions
from leadsync.insights import funnel_report
from leadsync.store import RunStatus, Store, StoreError
from leadsync.store.schema import runs as runs_table
from leadsync.web.runs import run_out

__all__ = ["StoreCollector", "metrics_registry"]

_log = structlog.get_logger(__name__)
_RECORD_KINDS = ("read", "written", "failed", "quarantined")


class StoreCollector(Collector):
    """Runs, the last run's figures and API calls (and the CRMs' own limits) per CRM, quarantine
    and people per stage."""

    def __init__(
        self, store: Store, sync: SyncSettings, definitions: Definitions, now: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._sync = sync
        self._definitions = definitions
        self._now = now

    def collect(self) -> Iterator[Metric]:
        """Every figure, read now; only `leadsync_store_up 0` when the store does not answer."""
        up = GaugeMetricFamily("leadsync_store_up", "1 when the state store answers, else 0")
        try:
            figures = list(self._figures())
        except (SQLAlchemyError, StoreError) as exc:
            _log.warning("metrics.store_unreachable", error=type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _figures(self) -> Iterator[Metric]:
        yield self._runs_total()
        yield from self._last_run()
        quarantined = GaugeMetricFamily(
            "leadsync_quarantined_records", "Records in quarantine now, per CRM", labels=["crm"]
        )
        per_crm: dict[str, int] = {}
        for entry in self._store.quarantine.entries(limit=1_000_000):
            per_crm[entry.ref.crm] = per_crm.get(entry.ref.crm, 0) + 1
        for crm, count in sorted(per_crm.items()):
            quarantined.add_metric([crm], count)
        yield quarantined
        yield from self._funnel()

    def _runs_total(self) -> Metric:
        total = CounterMetricFamily("leadsync_runs", "Runs of this pipeline, by status", labels=["status"])
        query = (
            select(runs_table.c.status, func.count())
            .where(runs_table.c.pipeline == self._sync.pipeline)
            .group_by(runs_table.c.status)
        )
        with self._store.engine.connect() as conn:
            counts = {str(status): int(count) for status, count in conn.execute(query)}
        for status in RunStatus:
            total.add_metric([status.value], counts.get(status.value, 0))
        return total

    def _last_run(self) -> Iterator[Metric]:
        finished = [
            run
            for run in self._store.runs.recent(limit=20, pipeline=self._sync.pipeline)
            if run.status is not RunStatus.RUNNING
        ]
        if not finished:
            return
        last = run_out(finished[0])
        duration = GaugeMetricFamily(
            "leadsync_last_run_duration_seconds", "How long the last finished run took"
        )
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
        limit = GaugeMetricFamily(
            "leadsync_api_limit", "The CRM's API allowance in that window", labels=["crm"]
        )
        for crm, used in sorted(last.api_calls.items()):
            calls.add_metric([crm], used.calls)
            minimum.add_metric([crm], used.minimum)
            if used.used is not None and used.limit is not None:
                limit_used.add_metric([crm], used.used)
                limit.add_metric([crm], used.limit)
        yield from (duration, finished_at, records, calls, minimum, limit_used, limit)

    def _funnel(self) -> Iterator[Metric]:
        report = funnel_report(self._store, self._definitions, now=self._now())
        people = GaugeMetricFamily("leadsync_people", "People per canonical stage now", labels=["stage"])
        records = GaugeMetricFamily(
            "leadsync_records", "Records holding each stage, per CRM", labels=["crm", "stage"]
        )
        for count in report.stages:
            people.add_metric([count.stage], count.people)
            for crm, held in sorted(count.by_crm.items()):
                records.add_metric([crm, count.stage], held)
        yield people
        yield records


def metrics_registry(collector: StoreCollector) -> CollectorRegistry:
    """A registry of its own for one app: several apps in one process never collide."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry
