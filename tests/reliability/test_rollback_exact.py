"""Rollback puts back every CRM property a run set exactly as it was, across both sandboxes.

Every mapped property of every record is read from the sandboxes' own stores before a real
cycle and after its rollback: they must match, except the properties a human changed after
the run (listed as skipped) and the owners the CRM no longer accepts (a user who left, reported
as not restorable). The run sets properties in each state a model-level rollback got wrong:
empty lead statuses, subscribers, contacts without an owner, leads owned by a queue. The seed
is long-tailed (few people qualify), so one subscriber and one queue-owned Lead are qualified
by hand first: a sales-qualified person gets a new lifecycle stage and an owner who is a person.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from typer.testing import CliRunner

from leadsync.cli import app
from leadsync.model import RecordRef
from leadsync.store import RunStatus
from tests.cli.test_demo_and_sync import Sandboxes, sandboxes  # noqa: F401 - the CLI tests' fixture
from tests.engine.conftest import MakePipeline, Pipeline

runner = CliRunner()

PEOPLE = 60

Snapshot = dict[tuple[RecordRef, str], object]


def _mapped(pipeline: Pipeline) -> dict[tuple[str, str], frozenset[str]]:
    """(crm, object type) -> the properties the mappings write."""
    return {
        (connection.name, object_type): write.target_fields()
        for connection in pipeline.engine().connections
        for object_type, write in connection.mapping.write.items()
    }


def _snapshot(pipeline: Pipeline) -> Snapshot:
    """Every mapped property of every record, straight from the sandboxes (empty text as None)."""
    mapped = _mapped(pipeline)
    held: Snapshot = {}
    for contact_id in pipeline.hubspot.store.ids():
        values = pipeline.hubspot.store.contact(contact_id) or {}
        ref = RecordRef("hubspot", "contacts", contact_id)
        held.update({(ref, name): values.get(name) or None for name in mapped["hubspot", "contacts"]})
    for sobject in ("Lead", "Contact"):
        for record in pipeline.salesforce.store.records(sobject):
            ref = RecordRef("salesforce", sobject, str(record["Id"]))
            held.update({(ref, name): _plain(record.get(name)) for name in mapped["salesforce", sobject]})
    return held


def _plain(value: object) -> object:
    if value == "":
        return None
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _changed(before: Snapshot, after: Snapshot) -> set[tuple[RecordRef, str]]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _inactive_owner_ids(pipeline: Pipeline) -> set[object]:
    users = pipeline.salesforce.store.records("User")
    archived = pipeline.hubspot.store.owners_page({"archived": "true"}, base_url="http://sandbox")["results"]
    return {u["Id"] for u in users if not u["IsActive"]} | {o["id"] for o in archived}


_BANT: Final = ("budget", "authority", "need", "timing")


def _qualify_a_subscriber_and_a_queued_lead(pipeline: Pipeline) -> None:
    """Reps qualify two people the long-tailed seed leaves at lead, so that the run moves them to
    sql and hands them an owner who is a person: a HubSpot subscriber whose owner has left, and
    a Salesforce Lead owned by a queue and absent from HubSpot. Each becomes a fitting CEO with
    every BANT item checked; the subscriber, quiet for months, also gets a connected call, or
    it would be recycled to nurture at once."""
    hubspot, salesforce = pipeline.hubspot.store, pipeline.salesforce.store
    left = _inactive_owner_ids(pipeline)
    subscriber = next(
        i
        for i in hubspot.ids()
        if (hubspot.contact(i) or {}).get("lifecyclestage") == "subscriber"
        and (hubspot.contact(i) or {}).get("hubspot_owner_id") in left
    )
    hubspot.update_as_user(
        subscriber, jobtitle="CEO", industry="Software", **{f"leadsync_bant_{item}": "true" for item in _BANT}
    )
    hubspot.add_object(
        "calls", {"hs_call_status": "COMPLETED", "hs_call_title": "Discovery"}, contact_id=subscriber
    )
    in_hubspot = {str((hubspot.contact(i) or {}).get("email", "")).lower() for i in hubspot.ids()}
    queued = next(
        str(lead["Id"])
        for lead in salesforce.records("Lead")
        if str(lead["OwnerId"]).startswith("00G")
        and lead["Status"] == "Open - Not Contacted"
        and str(lead["Email"] or "").lower() not in in_hubspot
    )
    rep = next(str(u["Id"]) for u in salesforce.records("User") if u["IsActive"])
    salesforce.update_as_user(
        "Lead",
        queued,
        rep,
        Title="CEO",
        Industry="Software",
        **{f"LeadSync_BANT_{i.title()}__c": True for i in _BANT},
    )


def _hard_cases(before: Snapshot, touched: set[tuple[RecordRef, str]]) -> Mapping[str, int]:
    """How many of the properties the run set were in each state a model-level rollback got wrong."""

    def count(crm: str, name: str, test: object) -> int:
        return sum(
            1
            for ref, prop in touched
            if ref.crm == crm
            and prop == name
            and (test(before[ref, prop]) if callable(test) else before[ref, prop] == test)
        )

    return {
        "empty hs_lead_status": count("hubspot", "hs_lead_status", None),
        "subscriber lifecyclestage": count("hubspot", "lifecyclestage", "subscriber"),
        "no HubSpot owner": count("hubspot", "hubspot_owner_id", None),
        "Lead owned by a queue": count("salesforce", "OwnerId", lambda v: str(v).startswith("00G")),
    }


def test_rollback_restores_every_property_exactly_but_what_a_human_changed_since(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(PEOPLE)
    _qualify_a_subscriber_and_a_queued_lead(pipeline)
    before = _snapshot(pipeline)
    run = pipeline.sync()
    after_run = _snapshot(pipeline)
    touched = _changed(before, after_run)
    hard = _hard_cases(before, touched)
    assert all(hard.values()), hard  # the population holds every case
    assert len(touched) > 100

    # People change a few of the properties the run set, after it.
    hubspot_edit = next(
        (ref, prop) for ref, prop in sorted(touched) if ref.crm == "hubspot" and prop == "leadsync_score"
    )
    salesforce_edit = next(
        (ref, prop) for ref, prop in sorted(touched) if ref.object_type == "Lead" and prop == "Status"
    )
    pipeline.hubspot.store.update_as_user(hubspot_edit[0].record_id, leadsync_score="3")
    person = next(u for u in pipeline.salesforce.store.records("User") if u["IsActive"])
    pipeline.salesforce.store.update_as_user(
        "Lead", salesforce_edit[0].record_id, str(person["Id"]), Status="Nurturing"
    )
    pipeline.clock.advance(minutes=1)

    report = pipeline.engine().rollback(run.run_id)

    restored = _snapshot(pipeline)
    differ = _changed(before, restored)
    humans = {hubspot_edit, salesforce_edit}
    inactive = _inactive_owner_ids(pipeline)
    refused = {(ref, prop) for ref, prop in differ - humans if before[ref, prop] in inactive}
    assert refused  # owners who left since: the CRM refuses them
    assert differ == humans | refused
    assert sorted((s["record"], s["field"]) for s in report.skipped) == sorted(
        (str(ref), prop) for ref, prop in humans
    )
    assert sorted((f["record"], f["field"]) for f in report.failed) == sorted(
        (str(ref), prop) for ref, prop in refused
    )
    assert all(f["reason"].startswith("not restorable") for f in report.failed)
    audited = pipeline.store.property_audit.overwritten_by(run.run_id)  # incl. values written unchanged
    assert report.restored == len(audited) - len(humans) - len(refused)
    by_field = report.as_dict()["fields"]
    assert {(f["crm"], f["field"]) for f in by_field} >= {
        ("hubspot", "lifecyclestage"),
        ("hubspot", "hs_lead_status"),
        ("hubspot", "hubspot_owner_id"),
        ("salesforce", "OwnerId"),
    }
    assert sum(f["failed"] for f in by_field) == len(refused)
    rollback_run = pipeline.store.runs.get(report.run_id)
    assert rollback_run is not None
    assert rollback_run.status is RunStatus.PARTIAL  # some values could not be put back
    assert pipeline.store.property_audit.overwritten_by(report.run_id)  # audited as a run of its own


def test_a_rolled_back_run_can_itself_be_rolled_back(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(PEOPLE)
    run = pipeline.sync()
    after_run = _snapshot(pipeline)
    pipeline.clock.advance(minutes=1)
    undo = pipeline.engine().rollback(run.run_id)
    pipeline.clock.advance(minutes=1)

    redo = pipeline.engine().rollback(undo.run_id)

    assert redo.skipped == redo.failed == []
    assert _changed(after_run, _snapshot(pipeline)) == set()


def test_the_rollback_command_reports_per_crm_and_field_and_fails_on_what_it_could_not_restore(
    sandboxes: Sandboxes,  # noqa: F811 - the fixture imported above
) -> None:
    synced = runner.invoke(app, ["sync", "--format", "json", "--config", str(sandboxes.config)])
    assert synced.exit_code == 0, synced.stderr
    run_id = json.loads(synced.stdout)["run_id"]

    as_json = runner.invoke(
        app, ["rollback", run_id, "--yes", "--format", "json", "--config", str(sandboxes.config)]
    )

    assert as_json.exit_code == 1  # owners who left cannot be put back
    document = json.loads(as_json.stdout)
    assert {(f["crm"], f["field"]) for f in document["fields"]} >= {
        ("hubspot", "lifecyclestage"),
        ("salesforce", "OwnerId"),
    }
    assert document["failed"]
    assert all(f["reason"].startswith("not restorable") for f in document["failed"])
    assert "not restored" in as_json.stderr

    again = runner.invoke(app, ["rollback", run_id, "--yes", "--config", str(sandboxes.config)])

    assert again.exit_code == 1  # the same owners are still refused
    assert "lifecyclestage" in again.stdout
    assert "Not restored" in again.stdout


def test_forgetting_a_person_erases_their_property_audit_too(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(PEOPLE)
    run = pipeline.sync()
    ref = pipeline.store.property_audit.overwritten_by(run.run_id)[0].ref
    person = pipeline.store.links.person_of(ref)
    assert person is not None
    records = set(pipeline.store.links.records_of(person))
    email = pipeline.store.links.email_of(person)
    assert email is not None

    pipeline.store.forget(email)

    assert not {e.ref for e in pipeline.store.property_audit.overwritten_by(run.run_id)} & records
