"""The audit of a write taken from its write intents, and remembered values found by the caller's refs."""

from __future__ import annotations

from datetime import timedelta

from leadsync.model import RecordRef
from leadsync.store import AuditEntry, Store
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
OTHER = RecordRef("salesforce", "Lead", "00Q2")


def test_the_intents_of_a_run_and_its_written_records_are_audited_as_declared(store: Store) -> None:
    stale = store.runs.start("main", at=T0).id
    run = store.runs.start("main", at=T0 + timedelta(minutes=1)).id
    at = T0 + timedelta(minutes=2)
    stage = AuditEntry(run, LEAD, "stage", "lead", "mql", "v2", at)
    entered = AuditEntry(run, LEAD, "stage_entered_at", None, at, "v2", at)
    store.intents.declare([AuditEntry(stale, LEAD, "owner", None, "ada@example.com", "v1", T0)])
    store.intents.declare([stage, entered, AuditEntry(run, OTHER, "score", 3, 7, "v2", at)])

    store.audit.append_intents([LEAD], run_id=run)

    assert store.audit.of_run(run) == [stage, entered]  # not the other record's, not the dead run's
    assert store.audit.of_run(stale) == []
    store.audit.append_intents([], run_id=run)
    assert len(store.audit.of_run(run)) == 2


def test_remembered_values_come_back_under_the_refs_asked_for(store: Store) -> None:
    store.values.remember_sent({LEAD: {"stage": "mql"}}, {LEAD: {"stage": "lead", "score": 3}}, at=T0)
    store.values.remember_sent({LEAD: {"score": 9}}, {LEAD: {"stage": "mql", "score": 3}}, at=T0)

    asked = RecordRef("salesforce", "Lead", "00Q1")
    found = store.values.of([asked, OTHER])

    assert list(found) == [asked]
    assert found[asked].ref is asked
    assert dict(found[asked].last_written) == {"stage": "mql", "score": 9}
    assert dict(found[asked].last_read) == {"stage": "mql", "score": 9}
    assert found[asked].written_at == T0
