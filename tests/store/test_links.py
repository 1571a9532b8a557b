from __future__ import annotations

from leadsync.model import RecordRef
from tests.store.conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q1")
CONTACT = RecordRef("salesforce", "Contact", "0031")
HUBSPOT = RecordRef("hubspot", "contact", "901")


def test_records_with_one_email_in_two_crms_are_one_person(store):
    person = store.links.link(LEAD, "Ada@Example.com")
    assert store.links.link(HUBSPOT, " ada@example.COM ") == person
    assert store.links.records_of(person) == [HUBSPOT, LEAD]
    assert store.links.person_by_email("ADA@example.com") == person
    assert store.links.email_of(person) == "ada@example.com"


def test_a_salesforce_lead_and_contact_with_one_email_are_one_person(store):
    person = store.links.link(LEAD, "ada@example.com")
    assert store.links.link(CONTACT, "ada@example.com") == person
    assert store.links.people_of([LEAD, CONTACT, HUBSPOT]) == {LEAD: person, CONTACT: person}


def test_linking_again_is_idempotent_and_other_emails_are_other_people(store):
    ada = store.links.link(LEAD, "ada@example.com")
    assert store.links.link(LEAD, "ada@example.com") == ada
    grace = store.links.link(HUBSPOT, "grace@example.com")
    assert grace != ada
    assert store.links.person_of(HUBSPOT) == grace


def test_a_record_whose_email_changes_keeps_its_person(store):
    person = store.links.link(LEAD, "ada@example.com")
    store.links.link(HUBSPOT, "ada@example.com")

    assert store.links.link(LEAD, "ada.lovelace@example.com") == person

    assert store.links.email_of(person) == "ada.lovelace@example.com"
    assert store.links.person_by_email("ada.lovelace@example.com") == person
    # The HubSpot record still carries the old address, and still finds the person by it.
    assert store.links.person_by_email("ada@example.com") == person
    assert store.links.records_of(person) == [HUBSPOT, LEAD]


def test_a_record_changing_to_another_persons_email_joins_that_person(store):
    ada = store.links.link(LEAD, "ada@example.com")
    grace = store.links.link(HUBSPOT, "grace@example.com")
    assert store.links.link(LEAD, "grace@example.com") == grace
    assert store.links.records_of(grace) == [HUBSPOT, LEAD]
    assert store.links.records_of(ada) == []


def test_unlink_forgets_the_record_and_its_values(store):
    person = store.links.link(LEAD, "ada@example.com")
    store.links.link(HUBSPOT, "ada@example.com")
    store.values.remember_read({LEAD: {"stage": "mql"}}, at=T0)

    store.links.unlink(LEAD)

    assert store.links.person_of(LEAD) is None
    assert store.values.of([LEAD]) == {}
    assert store.links.records_of(person) == [HUBSPOT]
    # A merged-away record that shows up again is linked afresh, to the same person by e-mail.
    assert store.links.link(LEAD, "ada@example.com") == person


def test_people_of_many_records_is_answered_in_chunks(store):
    refs = [RecordRef("hubspot", "contact", str(n)) for n in range(1203)]
    for n, ref in enumerate(refs[:3]):
        store.links.link(ref, f"p{n}@example.com")
    assert set(store.links.people_of(refs)) == set(refs[:3])
