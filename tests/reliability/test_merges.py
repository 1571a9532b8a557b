"""Merged, deleted and duplicated records, against both sandboxes, through real cycles.

Which record carries a person's stage and owner in each case is defined in the README
("Merged and duplicate records"); each case here is one row of that section.
"""

from __future__ import annotations

import pytest

from leadsync.model import RecordRef, Stage
from leadsync.store import PersonId
from tests.engine.conftest import Pipeline

THREE_DAYS = 60 * 24 * 3


def _counted(pipeline: Pipeline, person: PersonId) -> list[RecordRef]:
    """The activities that count for a person (one entry per activity kept)."""
    return [activity.ref for activity in pipeline.store.persons.files([person])[0].activities]


def _activities_of(pipeline: Pipeline, ref: RecordRef) -> set[RecordRef]:
    """The activities kept for one record."""
    person = pipeline.store.links.person_of(ref)
    assert person is not None
    return {a.ref for a in pipeline.store.persons.files([person])[0].activities if a.person == ref}


def _two_with_activities(pipeline: Pipeline, refs: list[RecordRef]) -> tuple[RecordRef, RecordRef]:
    """Two linked records of two different people, each with activities of its own."""
    linked = pipeline.store.links.people_of(refs)
    found: list[RecordRef] = []
    for ref in refs:
        if ref in linked and _activities_of(pipeline, ref) and all(linked[ref] != linked[f] for f in found):
            found.append(ref)
        if len(found) == 2:
            return found[0], found[1]
    raise AssertionError("the seed has no two such records")


def _written(pipeline: Pipeline, run_id: str) -> set[RecordRef]:
    return {entry.ref for entry in pipeline.store.audit.of_run(run_id)}


def _salesforce_people(pipeline: Pipeline, sobject: str) -> list[RecordRef]:
    rows = pipeline.salesforce.store.records(sobject)
    return [
        RecordRef("salesforce", sobject, str(r["Id"]))
        for r in rows
        if r["Email"] and not r["IsDeleted"] and not r.get("IsConverted")
    ]


@pytest.mark.parametrize("sobject", ["Lead", "Contact"])
def test_a_salesforce_merge_unlinks_the_losers_and_counts_their_activities_once(
    pipeline: Pipeline, sobject: str
) -> None:
    pipeline.sync()
    master, loser = _two_with_activities(pipeline, _salesforce_people(pipeline, sobject))
    person = pipeline.store.links.person_of(master)
    theirs, ours = _activities_of(pipeline, loser), _activities_of(pipeline, master)
    pipeline.salesforce.store.merge(sobject, master.record_id, loser.record_id)
    assert pipeline.salesforce.store.get(sobject, loser.record_id)["MasterRecordId"] == master.record_id
    tasks = [t for t in pipeline.salesforce.store.records("Task") if t["Id"] in {a.record_id for a in theirs}]
    assert all(t["WhoId"] == master.record_id for t in tasks)  # re-parented, as Salesforce does

    report = pipeline.sync()

    assert pipeline.store.links.person_of(loser) is None  # read as deleted: no write needed to learn it
    assert pipeline.store.links.person_of(master) == person
    assert report.crms["salesforce"].failed == 0
    counted = _counted(pipeline, person)
    assert theirs | ours <= set(counted)
    assert len(counted) == len(set(counted))  # each once: re-parented Tasks are not counted twice
    later = pipeline.sync(minutes=THREE_DAYS)
    assert loser not in _written(pipeline, report.run_id) | _written(pipeline, later.run_id)
    assert later.crms["salesforce"].failed == 0
    assert pipeline.store.links.person_of(loser) is None


def test_a_deleted_salesforce_record_is_unlinked_without_a_write(pipeline: Pipeline) -> None:
    pipeline.sync()
    lead = _salesforce_people(pipeline, "Lead")[0]
    person = pipeline.store.links.person_of(lead)
    assert person is not None
    pipeline.salesforce.store.delete("Lead", lead.record_id)

    report = pipeline.sync()

    assert pipeline.store.links.person_of(lead) is None
    assert report.crms["salesforce"].failed == 0
    assert lead not in _written(pipeline, report.run_id)
    again = pipeline.sync(minutes=THREE_DAYS)
    assert lead not in _written(pipeline, again.run_id)


def test_a_hubspot_merge_keeps_the_survivor_and_counts_both_activities_once(pipeline: Pipeline) -> None:
    pipeline.sync()
    contacts = [RecordRef("hubspot", "contacts", i) for i in pipeline.hubspot.store.ids()]
    survivor, merged = _two_with_activities(pipeline, contacts)
    person, former = pipeline.store.links.person_of(survivor), pipeline.store.links.person_of(merged)
    assert person is not None
    assert former is not None
    elsewhere = [ref for ref in pipeline.store.links.records_of(former) if ref != merged]
    both = _activities_of(pipeline, survivor) | _activities_of(pipeline, merged)
    merged_email = pipeline.hubspot.store.contact(merged.record_id)["email"]
    pipeline.hubspot.store.merge(survivor.record_id, merged.record_id)
    additional = pipeline.hubspot.store.contact(survivor.record_id)["hs_additional_emails"]
    assert merged_email in additional.split(";")  # HubSpot keeps the address on the survivor

    report = pipeline.sync()

    assert pipeline.store.links.person_of(merged) is None
    assert pipeline.store.links.person_of(survivor) == person
    counted = _counted(pipeline, person)
    assert both <= set(counted)
    assert len(counted) == len(set(counted))
    # The merged contact's other records stay with their own person: no one is re-created.
    assert all(pipeline.store.links.person_of(ref) == former for ref in elsewhere)
    assert not set(counted) & {a for ref in elsewhere for a in _activities_of(pipeline, ref)}
    assert merged not in _written(pipeline, report.run_id)


def test_a_record_whose_email_changed_stays_with_its_person(pipeline: Pipeline) -> None:
    pipeline.sync()
    person = pipeline.store.links.person_in_several_crms()
    assert person is not None
    lead = next(ref for ref in pipeline.store.links.records_of(person) if ref.crm == "salesforce")
    others = set(pipeline.store.links.records_of(person)) - {lead}
    count = pipeline.store.persons.count()
    pipeline.salesforce.store.update_as_user(
        lead.object_type, lead.record_id, "alice.martin@example.com", Email="new.address@example.org"
    )

    pipeline.sync()

    assert pipeline.store.links.person_of(lead) == person
    assert all(pipeline.store.links.person_of(ref) == person for ref in others)
    assert pipeline.store.persons.count() == count  # no one new


def test_a_lead_and_a_contact_with_one_email_share_stage_both_ways(pipeline: Pipeline) -> None:
    pipeline.sync()
    lead = next(r for r in pipeline.salesforce.store.records("Lead") if not r["IsConverted"] and r["Email"])
    hubspot = pipeline.hubspot.store
    claimed = {(hubspot.contact(i) or {}).get("salesforcecontactid") for i in hubspot.ids()}
    # A Contact no HubSpot contact names (salesforcecontactid): its HubSpot twin would join the person.
    contact = next(r for r in pipeline.salesforce.store.records("Contact") if r["Id"] not in claimed)
    sf = pipeline.salesforce.store
    sf.update_as_user("Contact", str(contact["Id"]), "alice.martin@example.com", Email=lead["Email"])
    pipeline.sync()
    lead_ref = RecordRef("salesforce", "Lead", str(lead["Id"]))
    person = pipeline.store.links.person_of(lead_ref)
    assert person == pipeline.store.links.person_of(RecordRef("salesforce", "Contact", str(contact["Id"])))

    sf.update_as_user("Contact", str(contact["Id"]), "alice.martin@example.com", LeadSync_Stage__c="Nurture")
    pipeline.sync()

    assert pipeline.store.persons.states([person])[person].stage is Stage.NURTURE
    assert sf.get("Lead", str(lead["Id"]))["Status"] == "Nurturing"  # the Lead is written too

    sf.update_as_user("Lead", str(lead["Id"]), "alice.martin@example.com", Status="Closed - Not Converted")
    pipeline.sync()

    assert pipeline.store.persons.states([person])[person].stage is Stage.DISQUALIFIED
    assert sf.get("Contact", str(contact["Id"]))["LeadSync_Stage__c"] == "Disqualified"


def test_a_converted_lead_is_let_go_and_its_contact_carries_the_person(pipeline: Pipeline) -> None:
    pipeline.sync()
    sf = pipeline.salesforce.store
    lead = next(r for r in sf.records("Lead") if not r["IsConverted"] and r["Email"])
    contact = sf.records("Contact")[0]
    sf.update_as_user("Contact", str(contact["Id"]), "alice.martin@example.com", Email=lead["Email"])
    pipeline.sync()
    lead_ref = RecordRef("salesforce", "Lead", str(lead["Id"]))
    person = pipeline.store.links.person_of(lead_ref)
    converted = {
        "IsConverted": True,
        "ConvertedContactId": contact["Id"],
        "ConvertedDate": f"{pipeline.clock.now():%Y-%m-%d}",
    }
    sf.update_as_user("Lead", str(lead["Id"]), "alice.martin@example.com", **converted)
    sf.update_as_user("Contact", str(contact["Id"]), "alice.martin@example.com", LeadSync_Stage__c="Customer")

    report = pipeline.sync()

    assert pipeline.store.links.person_of(lead_ref) is None  # read as converted: no refused write needed
    assert pipeline.store.links.person_of(RecordRef("salesforce", "Contact", str(contact["Id"]))) == person
    assert pipeline.store.persons.states([person])[person].stage is Stage.CUSTOMER  # read from the Contact
    assert report.crms["salesforce"].failed == 0
    assert lead_ref not in _written(pipeline, report.run_id)
