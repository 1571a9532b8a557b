"""`/metrics` parses as Prometheus text and says what the state store holds."""

from __future__ import annotations

from collections import Counter

import httpx
from prometheus_client.parser import text_string_to_metric_families

from leadsync.insights import funnel_report
from tests.engine.conftest import Pipeline

CRMS = ("salesforce", "hubspot")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_equal_the_stores_figures(synced: Pipeline, client: httpx.Client) -> None:
    response = client.get("/metrics").raise_for_status()
    assert response.headers["content-type"].startswith("text/plain; version=")

    samples = _samples(response.text)

    runs = synced.store.runs.recent(limit=100)
    statuses = Counter(run.status.value for run in runs)
    for status in ("succeeded", "partial", "failed", "running"):
        assert samples["leadsync_runs_total", (("status", status),)] == statuses[status]
    last = runs[0]
    assert last.finished_at is not None
    assert (
        samples["leadsync_last_run_duration_seconds", ()]
        == (last.finished_at - last.started_at).total_seconds()
    )
    assert samples["leadsync_last_run_finished_timestamp_seconds", ()] == last.finished_at.timestamp()
    for kind in ("read", "written", "failed", "quarantined"):
        per_crm = [samples["leadsync_last_run_records", (("crm", crm), ("kind", kind))] for crm in CRMS]
        assert sum(per_crm) == last.counts[kind]
    assert (
        samples["leadsync_last_run_records", (("crm", "hubspot"), ("kind", "failed"))]
        == last.counts["failed"]
    )
    for crm, calls in last.api_calls.items():
        assert samples["leadsync_last_run_api_calls", (("crm", crm),)] == calls.calls
        assert samples["leadsync_last_run_api_calls_minimum", (("crm", crm),)] == calls.minimum
        assert samples.get(("leadsync_api_limit_used", (("crm", crm),))) == calls.used
        assert samples.get(("leadsync_api_limit", (("crm", crm),))) == calls.limit
    assert last.api_calls["salesforce"].used  # Sforce-Limit-Info; this HubSpot sandbox sends no daily headers
    assert samples["leadsync_quarantined_records", (("crm", "salesforce"),)] == 1
    report = funnel_report(synced.store, synced.definitions, now=synced.clock.now())
    for stage in report.stages:
        assert samples["leadsync_people", (("stage", stage.stage),)] == stage.people
        for crm, held in stage.by_crm.items():
            assert samples["leadsync_records", (("crm", crm), ("stage", stage.stage))] == held
    assert samples["leadsync_store_up", ()] == 1
