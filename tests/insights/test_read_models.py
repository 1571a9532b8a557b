"""The read models the CLI and the dashboard share: runs, quarantine, health and metrics figures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine

from leadsync.adapter_api import Rejection, WriteResult
from leadsync.config import SyncSettings
from leadsync.definitions import load_definitions
from leadsync.insights import (
    funnel_report,
    health,
    pipeline_figures,
    quarantine_view,
    recent_runs,
    records_held,
    runs_view,
)
from leadsync.model import RecordRef
from leadsync.store import ApiCalls, RunStatus, Store
from tests.insights.funnel_fixture import NOW

A, B, C = (RecordRef("hubspot", "contact", str(n)) for n in (1, 2, 3))
LEAD = RecordRef("salesforce", "Lead", "00Q1")


def _finished(store: Store, pipeline: str, minutes: int, status: RunStatus, **counts: int) -> str:
    run = store.runs.start(pipeline, at=NOW + timedelta(minutes=minutes))
    at = NOW + timedelta(minutes=minutes, seconds=42.5)
    store.runs.finish(run.id, status, at=at, counts=counts, api_calls={"hubspot": ApiCalls(9, 6, 120, 1000)})
    return run.id


def test_a_run_shows_its_duration_totals_and_failures_per_crm(store: Store) -> None:
    _finished(store, "main", 0, RunStatus.PARTIAL, read=10, written=4, failed=3, **{"failed.hubspot": 3})

    [run] = recent_runs(store, limit=5)

    assert run.duration_s == 42.5
    assert (run.read, run.written, run.failed, run.quarantined) == (10, 4, 3, 0)
    assert run.failed_by_crm == {"hubspot": 3}
    assert run.api_calls["hubspot"] == ApiCalls(9, 6, 120, 1000)


def test_the_runs_view_holds_the_pipelines_runs_newest_first_and_the_next_one(store: Store) -> None:
    first = _finished(store, "default", 0, RunStatus.SUCCEEDED)
    _finished(store, "other", 5, RunStatus.SUCCEEDED)
    running = store.runs.start("default", at=NOW + timedelta(minutes=10))

    view = runs_view(store, SyncSettings(interval=timedelta(minutes=15)), now=NOW, limit=5)

    assert [run.id for run in view.runs] == [running.id, first]
    assert view.runs[0].duration_s is None
    assert view.schedule == "every 15m"
    assert view.next_run_at == running.started_at + timedelta(minutes=15)


def test_quarantine_is_grouped_largest_first_then_by_name_and_says_when_cut(store: Store) -> None:
    store.quarantine.put([Rejection(A, "no e-mail"), Rejection(B, "no e-mail")], at=NOW)
    store.quarantine.put([Rejection(C, "bad stage"), Rejection(LEAD, "an owner left")], at=NOW)
    failed = [WriteResult(ref, ok=False, code="LOCKED", message="row locked") for ref in (A, LEAD)]
    store.write_failures.record(failed, run_id="r1", at=NOW)

    view = quarantine_view(store, limit=3)
    only_salesforce = quarantine_view(store, limit=3, crm="salesforce")

    assert len(view.quarantined) == 3
    assert view.quarantined_truncated
    assert [(reason, len(entries)) for reason, entries in quarantine_view(store, limit=10).by_reason()] == [
        ("no e-mail", 2),
        ("an owner left", 1),
        ("bad stage", 1),
    ]
    assert [(code, len(entries)) for code, entries in view.by_code()] == [("LOCKED", 2)]
    assert not view.write_failures_truncated
    assert [e.ref for e in only_salesforce.quarantined] == [LEAD]
    assert [f.ref for f in only_salesforce.write_failures] == [LEAD]


def test_metrics_figures_count_every_status_the_last_finished_run_and_quarantine(store: Store) -> None:
    _finished(store, "default", 0, RunStatus.SUCCEEDED)
    last = _finished(store, "default", 5, RunStatus.FAILED)
    store.runs.start("default", at=NOW + timedelta(minutes=10))
    _finished(store, "other", 15, RunStatus.SUCCEEDED)
    store.quarantine.put([Rejection(A, "no e-mail"), Rejection(B, "no e-mail"), Rejection(LEAD, "x")], at=NOW)

    figures = pipeline_figures(store, SyncSettings(), load_definitions(), now=NOW + timedelta(hours=1))

    assert figures.runs_by_status == {
        RunStatus.RUNNING: 1,
        RunStatus.SUCCEEDED: 1,
        RunStatus.PARTIAL: 0,
        RunStatus.FAILED: 1,
    }
    assert figures.last_run is not None
    assert figures.last_run.id == last
    assert figures.quarantined_by_crm == {"hubspot": 2, "salesforce": 1}


def test_metrics_and_the_report_count_the_same_people_per_stage(filled: Store) -> None:
    figures = pipeline_figures(filled, SyncSettings(), load_definitions(), now=NOW)

    assert figures.stages == funnel_report(filled, load_definitions(), now=NOW).stages
    assert sum(stage.people for stage in figures.stages) > 0


def test_records_held_are_counted_per_crm_stage_and_temperature(filled: Store) -> None:
    held = records_held(filled)

    report = funnel_report(filled, load_definitions(), now=NOW)
    assert set(held) == set(report.crms)
    for stage in report.stages:
        for crm, records in stage.by_crm.items():
            assert records == sum(row.records for row in held[crm] if row.stage == stage.stage)


def test_health_without_a_successful_run_and_without_a_store(store: Store, tmp_path: Path) -> None:
    never = health(store, SyncSettings(), now=NOW)
    gone = Store(create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'state.db'}"))
    unreachable = health(gone, SyncSettings(), now=NOW)

    assert (never.healthy, never.store_reachable) == (False, True)
    assert never.problems == ["no run has succeeded yet; is the daemon (`leadsync run`) running?"]
    assert (unreachable.healthy, unreachable.store_reachable) == (False, False)
    assert "does not answer (OperationalError)" in unreachable.problems[0]
