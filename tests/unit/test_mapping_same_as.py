"""`[people.<object>.same_as]`: the fields holding the ids of the same person's records elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadsync.exceptions import ConfigError, ModelError
from leadsync.mapping import CrmMapping, SameAs, load_mapping
from leadsync.model import RecordRef
from tests.unit.test_mapping import SHIPPED

REF = RecordRef("hubspot", "contacts", "51")
CONTACTS = '[people.contacts.fields]\nemail = "email"\n'
SAME_AS = (
    CONTACTS
    + '[people.contacts.same_as.salesforce]\nContact = "salesforcecontactid"\nLead = "salesforceleadid"\n'
)


def _load(tmp_path: Path, text: str, crms: dict[str, str] | None = None) -> CrmMapping:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path, crms=crms)


def _problems(tmp_path: Path, text: str, crms: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, crms)
    return [(p.path, p.message, p.hint) for p in caught.value.problems]


def test_the_fields_are_read_with_the_others_and_give_the_records_they_name(tmp_path: Path) -> None:
    contacts = _load(tmp_path, SAME_AS).people["contacts"]

    assert contacts.same_as == (
        SameAs("salesforce", "Contact", "salesforcecontactid"),
        SameAs("salesforce", "Lead", "salesforceleadid"),
    )
    assert contacts.source_fields() == ("email", "salesforcecontactid", "salesforceleadid")
    person = contacts.to_person(
        {"email": "ada@example.com", "salesforcecontactid": " 0035e0000004C92AAE ", "salesforceleadid": ""},
        REF,
    )
    assert person.same_as == (RecordRef("salesforce", "Contact", "0035e0000004C92AAE"),)
    assert contacts.to_person({"email": "ada@example.com"}, REF).same_as == ()


def test_a_numeric_id_is_read_as_text_and_anything_else_names_the_field(tmp_path: Path) -> None:
    text = CONTACTS + '[people.contacts.same_as.pipedrive]\nperson = "pipedrive_id"\n'
    contacts = _load(tmp_path, text).people["contacts"]

    person = contacts.to_person({"email": "ada@example.com", "pipedrive_id": 42}, REF)
    assert person.same_as == (RecordRef("pipedrive", "person", "42"),)
    with pytest.raises(
        ModelError, match=r"contacts field 'pipedrive_id' \(same_as.pipedrive.person\): \[42\]"
    ):
        contacts.to_person({"email": "ada@example.com", "pipedrive_id": [42]}, REF)


def test_a_crm_is_named_as_configured_or_by_its_adapter(tmp_path: Path) -> None:
    by_name = _load(tmp_path, SAME_AS, {"salesforce": "salesforce", "hubspot": "hubspot"})
    by_adapter = _load(tmp_path, SAME_AS, {"sf-eu": "salesforce", "hubspot": "hubspot"})
    not_synced = _load(tmp_path, SAME_AS, {"hubspot": "hubspot", "pipedrive": "pipedrive"})

    assert {rule.crm for rule in by_name.people["contacts"].same_as} == {"salesforce"}
    assert {rule.crm for rule in by_adapter.people["contacts"].same_as} == {"sf-eu"}
    assert not_synced.people["contacts"].same_as == ()  # its ids are not even read
    assert not_synced.people["contacts"].source_fields() == ("email",)


def test_an_adapter_of_several_crms_must_be_named_by_the_crm(tmp_path: Path) -> None:
    crms = {"sf-eu": "salesforce", "sf-us": "salesforce", "hubspot": "hubspot"}

    assert _problems(tmp_path, SAME_AS, crms) == [
        (
            "people.contacts.same_as.salesforce",
            "'salesforce' is the adapter of several CRMs: sf-eu, sf-us",
            "name the one this field's ids belong to, e.g. [people.contacts.same_as.sf-eu]",
        )
    ]
    renamed = SAME_AS.replace("same_as.salesforce]", "same_as.sf-us]")
    assert {rule.crm for rule in _load(tmp_path, renamed, crms).people["contacts"].same_as} == {"sf-us"}


def test_every_problem_of_the_table_is_reported_at_once_with_its_key(tmp_path: Path) -> None:
    text = CONTACTS + (
        "[people.contacts.same_as]\n"
        'Salesforce = { Contact = "salesforcecontactid" }\n'  # not a CRM name (upper case)
        'marketo = "sfdcLeadId"\n'  # not a table
        "pipedrive = {}\n"  # empty
        'salesforce = { "Lead Record" = "x", Contact = "bad field", Lead = "salesforcecontactid" }\n'
        'sf = { Contact = "SalesforceContactID" }\n'  # the same field as salesforce.Lead
    )

    found = _problems(tmp_path, text)

    assert [(path, message) for path, message, _ in found] == [
        ("people.contacts.same_as.Salesforce", "'Salesforce' is not a CRM name"),
        ("people.contacts.same_as.marketo", "must be a table, found text"),
        ("people.contacts.same_as.pipedrive", "names no object"),
        ('people.contacts.same_as.salesforce."Lead Record"', "'Lead Record' is not an object name"),
        (
            "people.contacts.same_as.salesforce.Contact",
            "must be a CRM field name without blanks, found the text 'bad field'",
        ),
        (
            "people.contacts.same_as.sf.Contact",
            "'SalesforceContactID' is read for people.contacts.same_as.salesforce.Lead too",
        ),
    ]
    assert all(hint for _, _, hint in found)


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (
            CONTACTS + '[people.contacts]\nsame_as = "salesforcecontactid"\n',
            "people.contacts.same_as",
            "must be a table",
        ),
        (CONTACTS + "[people.contacts.same_as]\n", "people.contacts.same_as", "names no CRM"),
        (CONTACTS + "[people.contacts]\nsame_ass = {}\n", "people.contacts.same_ass", "unknown key"),
    ],
)
def test_a_malformed_table_is_a_problem(tmp_path: Path, text: str, key: str, message: str) -> None:
    assert any(path == key and message in found for path, found, _ in _problems(tmp_path, text))


def test_the_shipped_hubspot_mapping_names_the_ids_hubspots_salesforce_connector_keeps() -> None:
    contacts = load_mapping(SHIPPED[1]).people["contacts"]

    assert contacts.same_as == (
        SameAs("salesforce", "Contact", "salesforcecontactid"),
        SameAs("salesforce", "Lead", "salesforceleadid"),
    )
    assert load_mapping(SHIPPED[0]).people["Lead"].same_as == ()
