"""Write intents, the audit's `missing` and abandoned runs: what crash recovery stands on."""

from __future__ import annotations

from datetime import timedelta

from leadsync.model import RecordRef
from leadsync.store import AuditEntry, RunStatus, Store
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
CONTACT = RecordRef("hubspot", "contacts", "901")


def _entry(run_id: str, ref: RecordRef, field: str, new: object) -> AuditEntry:
    return AuditEntry(run_id, ref, field, None, new, "v1", T0)


def test_intents_are_kept_per_record_and_field_the_newest_wins_and_drop_forgets_a_record(
    store: Store,
) -> None:
    run = store.runs.start("main", at=T0).id
    store.intents.declare([_entry(run, LEAD, "stage", "mql"), _entry(run, LEAD, "owner", "ada@example.com")])
    store.intents.declare([_entry(run, LEAD, "stage", "sql"), _entry(run, CONTACT, "score", 7)])

    assert sorted((i.ref.crm, i.field, i.new) for i in store.intents.of([LEAD, CONTACT])) == [
        ("hubspot", "score", 7),
        ("salesforce", "owner", "ada@example.com"),
        ("salesforce", "stage", "sql"),
    ]
    store.intents.drop([LEAD])
    assert [(i.ref, i.field) for i in store.intents.of([LEAD, CONTACT])] == [(CONTACT, "score")]


def test_missing_are_the_entries_of_no_recorded_run_record_field_and_value(store: Store) -> None:
    run = store.runs.start("main", at=T0).id
    recorded = _entry(run, LEAD, "stage", "mql")
    store.audit.append([recorded])

    other_value = _entry(run, LEAD, "stage", "sql")
    other_field = _entry(run, LEAD, "owner", "ada@example.com")
    assert store.audit.missing([recorded, other_value, other_field]) == [other_value, other_field]
    assert store.audit.missing([]) == []


def test_runs_left_running_are_marked_failed_while_ended_runs_and_other_pipelines_stay(store: Store) -> None:
    dead = store.runs.start("main", at=T0).id
    ended = store.runs.start("main", at=T0 + timedelta(minutes=1)).id
    store.runs.finish(ended, RunStatus.SUCCEEDED, at=T0 + timedelta(minutes=2), counts={}, api_calls={})
    elsewhere = store.runs.start("other", at=T0).id

    at = T0 + timedelta(minutes=15)
    assert store.runs.abandon_running("main", at=at) == [dead]

    statuses = {run.id: (run.status, run.finished_at) for run in store.runs.recent()}
    assert statuses[dead] == (RunStatus.FAILED, at)
    assert statuses[ended][0] is RunStatus.SUCCEEDED
    assert statuses[elsewhere] == (RunStatus.RUNNING, None)
    assert store.runs.abandon_running("main", at=at) == []
