from __future__ import annotations

from leadsync.adapter_api import Rejection
from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store import AuditEntry, ForgetReport, StageChange
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
HUBSPOT = RecordRef("hubspot", "contact", "901")
OTHER = RecordRef("hubspot", "contact", "902")
STRAY = RecordRef("hubspot", "contact", "903")


def test_forget_erases_one_person_everywhere_and_nobody_else(store):
    ada = store.links.link(LEAD, "ada@example.com")
    store.links.link(HUBSPOT, "ada@example.com")
    grace = store.links.link(OTHER, "grace@example.com")
    store.values.remember_written({LEAD: {"stage": "mql"}, OTHER: {"stage": "sql"}}, at=T0)
    store.stage_history.append(
        [
            StageChange(ada, None, Stage.MQL, T0, SetBy.LEADSYNC),
            StageChange(grace, None, Stage.SQL, T0, SetBy.HUMAN),
        ]
    )
    run = store.runs.start("main", at=T0)
    store.audit.append(
        [
            AuditEntry(run.id, LEAD, "stage", "lead", "mql", "v1", T0),
            AuditEntry(run.id, OTHER, "stage", "lead", "sql", "v1", T0),
        ]
    )
    store.quarantine.put(
        [
            Rejection(HUBSPOT, "bad score"),
            Rejection(STRAY, "no id", '{"email": "Ada@Example.com"}'),
            Rejection(RecordRef("hubspot", "contact", "904"), "no id", '{"email": "adax@example.com"}'),
        ],
        at=T0,
    )
    store.intents.declare(
        [
            AuditEntry(run.id, HUBSPOT, "owner", None, "a@example.com", "v1", T0),
            AuditEntry(run.id, OTHER, "owner", None, "b@example.com", "v1", T0),
        ]
    )

    report = store.forget("ADA@example.com")

    assert report == ForgetReport(people=1, records=2, stage_changes=1, audit_entries=1, quarantined=2)
    assert store.links.person_by_email("ada@example.com") is None
    assert store.links.people_of([LEAD, HUBSPOT]) == {}
    assert store.values.of([LEAD]) == {}
    assert store.stage_history.of_person(ada) == []
    assert [e.ref for e in store.audit.of_run(run.id)] == [OTHER]
    assert [e.ref.record_id for e in store.quarantine.entries()] == ["904"]
    assert store.links.records_of(grace) == [OTHER]
    assert list(store.values.of([OTHER])) == [OTHER]
    assert [e.ref for e in store.intents.of([HUBSPOT, OTHER])] == [OTHER]


def test_forgetting_an_unknown_email_erases_nothing(store):
    assert store.forget("nobody@example.com") == ForgetReport()
