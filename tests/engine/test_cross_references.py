"""A HubSpot contact is linked to the Salesforce record whose id HubSpot's connector keeps on it,
before and whatever its e-mail says; both CRMs then hold the same person's values."""

from __future__ import annotations

from leadsync.emails import normalize_email
from leadsync.model import RecordRef
from tests.engine.conftest import MakePipeline, Pipeline


def _synced_contact(pipeline: Pipeline) -> tuple[RecordRef, RecordRef]:
    """A HubSpot contact the connector syncs with a Salesforce Contact, and that Contact."""
    for contact_id in pipeline.hubspot.store.ids():
        values = pipeline.hubspot.store.contact(contact_id) or {}
        if values.get("salesforcecontactid") and "@" in values.get("email", ""):
            salesforce_id = values["salesforcecontactid"]
            return RecordRef("hubspot", "contacts", contact_id), RecordRef(
                "salesforce", "Contact", salesforce_id
            )
    raise AssertionError("no HubSpot contact holds a Salesforce Contact id")


def _misspelt(pipeline: Pipeline, hubspot: RecordRef) -> str:
    """Give the contact another address in HubSpot only, as a typo would: the new address."""
    email = (pipeline.hubspot.store.contact(hubspot.record_id) or {})["email"].strip()
    typo = email.replace("@", ".x@", 1)
    pipeline.hubspot.store.update_as_user(hubspot.record_id, email=typo)
    return normalize_email(typo)


def _agree(pipeline: Pipeline, hubspot: RecordRef, salesforce: RecordRef) -> None:
    """One person, and the values leadsync manages are the same in both CRMs."""
    person = pipeline.store.links.person_of(salesforce)
    assert person is not None
    assert pipeline.store.links.person_of(hubspot) == person
    contact = pipeline.hubspot.store.contact(hubspot.record_id) or {}
    record = pipeline.salesforce.store.get(salesforce.object_type, salesforce.record_id) or {}
    assert float(contact["leadsync_score"]) == float(str(record["LeadSync_Score__c"]))
    assert contact["leadsync_temperature"] == str(record["LeadSync_Temperature__c"]).lower()


def test_the_sandbox_holds_the_ids_of_the_salesforce_records_of_the_same_people(pipeline: Pipeline) -> None:
    held = 0
    for contact_id in pipeline.hubspot.store.ids():
        values = pipeline.hubspot.store.contact(contact_id) or {}
        for sobject, name in (("Contact", "salesforcecontactid"), ("Lead", "salesforceleadid")):
            if name in values:
                record = pipeline.salesforce.store.get(sobject, values[name])
                assert record is not None, f"{contact_id}: no {sobject} {values[name]}"
                assert str(record["Email"]).strip().lower() == values["email"].strip().lower()
                assert not (sobject == "Lead" and record["IsConverted"])  # the connector follows the Contact
                held += 1
    assert held > 20  # about 30 % of 150 people are in both CRMs


def test_a_contact_with_a_misspelt_email_is_linked_to_the_record_it_names(pipeline: Pipeline) -> None:
    hubspot, salesforce = _synced_contact(pipeline)
    typo = _misspelt(pipeline, hubspot)

    report = pipeline.sync()

    assert report.crms["hubspot"].quarantined == 0
    _agree(pipeline, hubspot, salesforce)
    assert pipeline.store.links.person_by_email(typo) == pipeline.store.links.person_of(salesforce)
    assert [figures.writes for figures in pipeline.sync().crms.values()] == [0, 0]  # settled


def test_a_claim_read_before_its_record_links_it_when_it_arrives(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline()
    pipeline.raw["crm"] = {
        name: pipeline.raw["crm"][name] for name in ("hubspot", "salesforce")
    }  # HubSpot first
    hubspot, salesforce = _synced_contact(pipeline)
    _misspelt(pipeline, hubspot)

    pipeline.sync()

    _agree(pipeline, hubspot, salesforce)
    assert len(pipeline.store.links.records_of(pipeline.store.links.person_of(hubspot) or 0)) == 2
