from __future__ import annotations

from datetime import timedelta

from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store import ApiCalls, AuditEntry, RunStatus, StageChange
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
HUBSPOT = RecordRef("hubspot", "contact", "901")


def test_stage_history_is_kept_per_person_in_time_order(store):
    ada = store.links.link(LEAD, "ada@example.com")
    grace = store.links.link(HUBSPOT, "grace@example.com")
    to_sql = StageChange(ada, Stage.MQL, Stage.SQL, T0 + timedelta(days=1), SetBy.HUMAN, "rep qualified")
    to_mql = StageChange(ada, None, Stage.MQL, T0, SetBy.LEADSYNC, "score 55 >= 50")
    other = StageChange(grace, Stage.LEAD, Stage.NURTURE, T0 + timedelta(hours=1), SetBy.LEADSYNC)
    store.stage_history.append([to_sql, to_mql, other])
    store.stage_history.append([])

    assert store.stage_history.of_person(ada) == [to_mql, to_sql]
    assert store.stage_history.between(T0, T0 + timedelta(days=1)) == [to_mql, other]


def test_a_run_is_started_then_finished_with_its_figures(store):
    run = store.runs.start("main", at=T0)
    assert store.runs.get(run.id) == run
    assert run.status is RunStatus.RUNNING

    store.runs.finish(
        run.id,
        RunStatus.SUCCEEDED,
        at=T0 + timedelta(seconds=42),
        counts={"read": 120, "written": 7},
        api_calls={"hubspot": ApiCalls(calls=3, minimum=2)},
    )

    finished = store.runs.get(run.id)
    assert finished is not None
    assert finished.status is RunStatus.SUCCEEDED
    assert finished.started_at == T0
    assert finished.finished_at == T0 + timedelta(seconds=42)
    assert finished.counts == {"read": 120, "written": 7}
    assert finished.api_calls == {"hubspot": ApiCalls(3, 2)}
    assert store.runs.get("nope") is None


def test_recent_runs_are_newest_first_and_filtered_by_pipeline(store):
    first = store.runs.start("main", at=T0)
    second = store.runs.start("eu", at=T0 + timedelta(minutes=15))
    third = store.runs.start("main", at=T0 + timedelta(minutes=30))

    assert [r.id for r in store.runs.recent()] == [third.id, second.id, first.id]
    assert [r.id for r in store.runs.recent(pipeline="main", limit=1)] == [third.id]


def test_audit_log_lists_what_a_run_wrote_and_what_it_overwrote(store):
    first = store.runs.start("main", at=T0)
    second = store.runs.start("main", at=T0 + timedelta(hours=1))
    at = T0 + timedelta(seconds=5)
    entries = [
        AuditEntry(first.id, LEAD, "stage", "lead", "mql", "v1", at),
        AuditEntry(first.id, LEAD, "score", 10, 55, "v1", at),
        AuditEntry(first.id, HUBSPOT, "owner", None, "rep@example.com", "v1", at),
        AuditEntry(first.id, LEAD, "stage", "mql", "sql", "v1", at + timedelta(seconds=1)),
        AuditEntry(second.id, LEAD, "score", 55, 60, "v2", T0 + timedelta(hours=1)),
    ]
    store.audit.append(entries)

    assert store.audit.of_run(first.id) == entries[:4]
    assert store.audit.of_record(LEAD) == [entries[0], entries[1], entries[3], entries[4]]
    # Rollback restores each field's value from before the run, once per (record, field).
    assert store.audit.overwritten_by(first.id) == [
        AuditEntry(first.id, LEAD, "stage", "lead", "sql", "v1", at),
        entries[1],
        entries[2],
    ]
    assert store.audit.overwritten_by("unknown") == []
