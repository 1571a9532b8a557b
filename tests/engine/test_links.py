"""Deleted and merged CRM records are unlinked, never written again; one e-mail is one person."""

from __future__ import annotations

from pathlib import Path

from leadsync.definitions import default_definitions_path, load_definitions
from leadsync.model import RecordRef
from tests.engine.conftest import Pipeline


def _hubspot_pair(pipeline: Pipeline) -> tuple[RecordRef, RecordRef]:
    """Two HubSpot contacts of two different people, both linked."""
    refs = [RecordRef("hubspot", "contacts", i) for i in pipeline.hubspot.store.ids()[:40]]
    linked = pipeline.store.links.people_of(refs)
    first, second = [ref for ref in refs if ref in linked][:2]
    assert linked[first] != linked[second]
    return first, second


def test_a_contact_merged_away_is_unlinked_and_never_written_again(pipeline: Pipeline) -> None:
    pipeline.sync()
    survivor, merged = _hubspot_pair(pipeline)
    pipeline.hubspot.store.merge(survivor.record_id, merged.record_id)

    report = pipeline.sync()

    assert pipeline.store.links.person_of(merged) is None
    assert pipeline.store.links.person_of(survivor) is not None
    touched = {entry.ref for entry in pipeline.store.audit.of_run(report.run_id)}
    assert merged not in touched  # a write to the merged id would land on the survivor
    later = pipeline.sync(minutes=60 * 24 * 3)
    assert merged not in {entry.ref for entry in pipeline.store.audit.of_run(later.run_id)}
    assert pipeline.store.links.person_of(merged) is None


def test_a_deleted_record_is_unlinked_when_a_write_finds_it_gone(pipeline: Pipeline, tmp_path: Path) -> None:
    pipeline.sync()
    person = pipeline.store.links.person_in_several_crms()
    assert person is not None
    refs = pipeline.store.links.records_of(person)
    salesforce = next(ref for ref in refs if ref.crm == "salesforce")
    hubspot = next(ref for ref in refs if ref.crm == "hubspot")
    pipeline.salesforce.store.delete(salesforce.object_type, salesforce.record_id)
    # Every score moves by a point: leadsync writes every record, the deleted one included.
    one_more = tmp_path / "definitions.toml"
    one_more.write_text(
        default_definitions_path().read_text(encoding="utf-8")
        + '\n[[scoring.fit.rules]]\nname = "everyone"\npoints = 1\n'
        + 'when = { field = "email", op = "exists" }\n',
        encoding="utf-8",
    )
    pipeline.definitions = load_definitions(one_more)

    report = pipeline.sync(allow_large_change=True)

    assert report.crms["salesforce"].failed == 0  # gone is not a failure to retry
    assert pipeline.store.links.person_of(salesforce) is None
    assert pipeline.store.links.person_of(hubspot) == person
    again = pipeline.sync(minutes=60 * 24 * 3)
    assert salesforce not in {entry.ref for entry in pipeline.store.audit.of_run(again.run_id)}


def test_a_lead_and_a_contact_with_one_email_are_one_person(pipeline: Pipeline) -> None:
    pipeline.sync()
    lead = next(r for r in pipeline.salesforce.store.records("Lead") if not r["IsConverted"] and r["Email"])
    contact = pipeline.salesforce.store.records("Contact")[0]
    pipeline.salesforce.store.update_as_user(
        "Contact", str(contact["Id"]), "alice.martin@example.com", Email=lead["Email"]
    )

    report = pipeline.sync()

    person = pipeline.store.links.person_of(RecordRef("salesforce", "Lead", str(lead["Id"])))
    assert person is not None
    assert pipeline.store.links.person_of(RecordRef("salesforce", "Contact", str(contact["Id"]))) == person
    assert report.crms["salesforce"].quarantined == 0
