from __future__ import annotations

import contextlib
import functools
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsync.conditions import condition_fields
from leadsync.exceptions import ConfigError, ModelError
from leadsync.mapping import MANAGED, PERSON_TARGETS, SKIP, TRANSFORMS, CrmMapping, load_mapping
from leadsync.model import ActivityKind, JobLevel, RecordRef, Stage, Temperature
from leadsync.problems import Problem

REPO = Path(__file__).resolve().parents[2]
SHIPPED = [REPO / "mappings" / "salesforce.toml", REPO / "mappings" / "hubspot.toml"]
REF = RecordRef("salesforce", "Lead", "00Q000000000001")
WHO = RecordRef("salesforce", "Lead", "00Q000000000002")
MINIMAL = '[people.Lead.fields]\nemail = "Email"\n'

PEOPLE = """
[people.Lead.fields]
email = { from = "Email", transform = ["trim", "lower"] }
first_name = "FirstName"
last_name = { from = "LastName", transform = ["upper"] }
employees = "NumberOfEmployees"
created_at = "CreatedDate"
updated_at = { from = "LastActivityDate", transform = ["date"] }
owner_email = "Owner.Email"
company = "Account.Name"
job_level = { from = "Level__c", values = { VP = "executive" } }
"qualification.budget" = { from = "Budget__c", transform = ["bool"] }
qualification = { need = "Need__c" }
"attributes.pardot_score" = { from = "pi__score__c", transform = ["int"] }
"attributes.grade" = "pi__grade__c"

[people.Lead.fields.country]
from = "Country"
transform = ["trim"]
values = { France = "FR", "United States" = "US" }

[people.Lead.fields.stage]
from = "Status"
values = { "Open - Not Contacted" = "lead", "Working - Contacted" = "mql", "Closed - Converted" = "" }
"""

ACTIVITIES = (
    MINIMAL
    + """
[activities.Task]
person = "WhoId"
occurred_at = "CreatedDate"
detail = "Subject"

[[activities.Task.rules]]
kind = "demo_request"
when = { field = "Subject", op = "contains", value = "demo" }

[[activities.Task.rules]]
kind = "call"
when = { field = "TaskSubtype", op = "=", value = "Call" }

[activities.CampaignMember]
person = "LeadOrContactId"
occurred_at = "LastModifiedDate"

[[activities.CampaignMember.rules]]
kind = "webinar_attended"
when = { all = [
    { field = "Campaign.Type", op = "=", value = "Webinar" },
    { field = "Status", op = "=", value = "Attended" },
] }

[[activities.CampaignMember.rules]]
kind = "form_submit"
"""
)

ALL_STAGES = (
    'lead = "New", mql = "Engaged", sql = "Qualified", opportunity = "Opp", '
    'customer = "Won", nurture = "Nurturing", disqualified = "Lost"'
)


@pytest.fixture
def mapping_from(tmp_path: Path):
    """Load a mapping written from text."""

    def load(text: str) -> CrmMapping:
        path = tmp_path / "mapping.toml"
        path.write_text(text, encoding="utf-8")
        return load_mapping(path)

    return load


@pytest.fixture
def problems_from(tmp_path: Path):
    """The problems `load_mapping` reports for a mapping written from text."""

    def problems(text: str) -> tuple[Problem, ...]:
        path = tmp_path / "mapping.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_mapping(path)
        return caught.value.problems

    return problems


@functools.cache
def _shipped(index: int) -> CrmMapping:
    return load_mapping(SHIPPED[index])


# --- the shipped default mappings ------------------------------------------------------------


def _people_sources(fields: dict[str, object]) -> set[str]:
    """CRM fields named under [people.<object>.fields], read straight from the TOML."""
    names: set[str] = set()
    for key, spec in fields.items():
        if key in ("qualification", "attributes") and isinstance(spec, dict) and "from" not in spec:
            names |= _people_sources(spec)
        elif isinstance(spec, str):
            names.add(spec)
        else:
            assert isinstance(spec, dict)
            names.add(spec["from"])
    return names


def _when_fields(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["field"]} if "field" in node else set()
        return found.union(*(_when_fields(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_when_fields(item) for item in node))
    return set()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_mapping_loads_and_reads_exactly_the_fields_it_names(path: Path) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    mapping = load_mapping(path)
    assert mapping.file == path
    assert set(mapping.people) == set(raw["people"])
    assert set(mapping.activities) == set(raw["activities"])
    assert set(mapping.write) == set(raw["write"])
    for name, people in mapping.people.items():
        same_as = raw["people"][name].get("same_as", {})
        named = _people_sources(raw["people"][name]["fields"])
        named |= {field for fields in same_as.values() for field in fields.values()}
        assert people.source_fields() == tuple(sorted(named))
    for name, activity in mapping.activities.items():
        table = raw["activities"][name]
        named = {table["person"], table["occurred_at"], table.get("detail", table["person"])}
        named |= _when_fields(table["rules"])
        assert activity.source_fields() == tuple(sorted(named))


def test_the_salesforce_lead_reads_its_standard_and_custom_fields() -> None:
    lead = load_mapping(SHIPPED[0]).people["Lead"]
    assert lead.source_fields() == (
        "Company",
        "CountryCode",
        "CreatedDate",
        "Email",
        "FirstName",
        "HasOptedOutOfEmail",
        "Industry",
        "LastName",
        "LeadSource",
        "LeadSync_BANT_Authority__c",
        "LeadSync_BANT_Budget__c",
        "LeadSync_BANT_Need__c",
        "LeadSync_BANT_Timing__c",
        "NumberOfEmployees",
        "Owner.Email",
        "Status",
        "SystemModstamp",
        "Title",
        "pi__grade__c",
        "pi__score__c",
    )


def test_a_salesforce_contact_reads_through_its_account_and_derives_its_stage() -> None:
    contact = load_mapping(SHIPPED[0]).people["Contact"]
    raw = {
        "Email": "ana@example.com",
        "Account": {"Name": "Acme", "NumberOfEmployees": 1200, "Industry": "Software"},
        "Owner": {"Email": "Rep@Example.com"},
        "LeadSync_Stage__c": "SQL",
        "CreatedDate": "2026-11-01T09:30:00.000+0000",
        "LeadSync_BANT_Budget__c": True,
        "pi__score__c": 87.0,
    }
    person = contact.to_person(raw, REF)
    assert (person.company, person.employees, person.industry) == ("Acme", 1200, "Software")
    assert person.owner_email == "rep@example.com"
    assert person.stage is Stage.SQL
    assert contact.fields["stage"].values_derived
    assert person.created_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert dict(person.qualification) == {"budget": True}
    assert dict(person.attributes) == {"pardot_score": 87}


def test_a_hubspot_contact_reads_ranges_lifecycle_stages_and_epoch_stamps() -> None:
    contacts = load_mapping(SHIPPED[1]).people["contacts"]
    raw = {
        "email": "li@example.com",
        "numemployees": "100-500",
        "lifecyclestage": "marketingqualifiedlead",
        "country": " États-Unis ",
        "hs_analytics_source": "PAID_SEARCH",
        "createdate": "2026-11-01T09:30:00.000Z",
        "lastmodifieddate": "1793525400000",
        "leadsync_bant_need": "true",
        "hubspotscore": "42",
    }
    person = contacts.to_person(raw, REF)
    assert (person.employees, person.stage, person.country) == (500, Stage.MQL, "US")
    assert person.source == "Paid Search"
    assert person.updated_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert dict(person.qualification) == {"need": True}
    assert dict(person.attributes) == {"hubspot_score": 42}
    assert contacts.to_person({"email": "x@example.com", "lifecyclestage": "other"}, REF).stage is (
        Stage.DISQUALIFIED
    )


# --- reading people ------------------------------------------------------------------------


def test_to_person_applies_transforms_value_maps_and_implicit_types(mapping_from) -> None:
    lead = mapping_from(PEOPLE).people["Lead"]
    raw = {
        "Email": "  Jane.Doe@Example.COM ",
        "FirstName": "Jane",
        "LastName": "Doe",
        "NumberOfEmployees": "250",
        "CreatedDate": "2026-11-01T09:30:00.000+0000",
        "LastActivityDate": "2026-11-20",
        "Owner": {"Email": "Owner@Example.com"},
        "Account": {"Name": "Acme"},
        "Level__c": "vp",
        "Budget__c": "Oui",
        "Need__c": False,
        "pi__score__c": 45.0,
        "pi__grade__c": "B",
        "Country": "  FRANCE ",
        "Status": "working - contacted",
    }
    person = lead.to_person(raw, REF)
    assert person.ref == REF
    assert person.email == "jane.doe@example.com"
    assert (person.first_name, person.last_name, person.company) == ("Jane", "DOE", "Acme")
    assert person.employees == 250
    assert person.created_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert person.updated_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert person.owner_email == "owner@example.com"
    assert person.job_level is JobLevel.EXECUTIVE
    assert (person.country, person.stage) == ("FR", Stage.MQL)
    assert dict(person.qualification) == {"budget": True, "need": False}
    assert dict(person.attributes) == {"pardot_score": 45, "grade": "B"}


def test_empty_values_leave_the_model_defaults(mapping_from) -> None:
    lead = mapping_from(PEOPLE).people["Lead"]
    raw = {"Email": "a@example.com", "FirstName": "", "NumberOfEmployees": None, "Owner": None}
    person = lead.to_person(raw, REF)
    assert (person.first_name, person.employees, person.owner_email, person.stage) == ("", None, None, None)
    assert dict(person.qualification) == {}
    assert dict(person.attributes) == {}


def test_a_value_mapped_to_empty_text_reads_as_no_value(mapping_from) -> None:
    lead = mapping_from(PEOPLE).people["Lead"]
    assert lead.to_person({"Email": "a@example.com", "Status": "Closed - Converted"}, REF).stage is None


def test_a_value_missing_from_the_map_is_kept(mapping_from) -> None:
    lead = mapping_from(PEOPLE).people["Lead"]
    assert lead.to_person({"Email": "a@example.com", "Country": " Germany "}, REF).country == "Germany"
    assert lead.to_person({"Email": "a@example.com", "Status": "SQL"}, REF).stage is Stage.SQL


def test_a_dotted_field_is_read_flat_first_then_through_nested_records(mapping_from) -> None:
    lead = mapping_from(PEOPLE).people["Lead"]
    flat = {"Email": "a@example.com", "Owner.Email": "flat@example.com", "Owner": {"Email": "n@example.com"}}
    assert lead.to_person(flat, REF).owner_email == "flat@example.com"
    nested = {"Email": "a@example.com", "Owner": {"Email": "nested@example.com"}}
    assert lead.to_person(nested, REF).owner_email == "nested@example.com"


@pytest.mark.parametrize(
    ("transform", "raw", "expected"),
    [
        ("trim", "  x  ", "x"),
        ("lower", "ÀB", "àb"),
        ("upper", "ab", "AB"),
        ("int", "1200", 1200),
        ("int", " 12.0 ", 12),
        ("int", 7.0, 7),
        ("float", "3.5", 3.5),
        ("float", 2, 2.0),
        ("bool", "YES", True),
        ("bool", "non", False),
        ("bool", "1", True),
        ("bool", 0, False),
        ("bool", True, True),
        ("date", "2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("date", "2026-11-01T23:30:00-05:00", datetime(2026, 11, 1, tzinfo=UTC)),
        ("date", 1793491200000, datetime(2026, 11, 1, tzinfo=UTC)),
        ("datetime", "2026-11-01T09:30:00.000+0000", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("datetime", "2026-11-01T09:30:00Z", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("datetime", "2026-11-01T10:30:00+01:00", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("datetime", "1793525400000", datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("datetime", 1793525400000, datetime(2026, 11, 1, 9, 30, tzinfo=UTC)),
        ("datetime", "2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
    ],
)
def test_each_transform(mapping_from, transform: str, raw: object, expected: object) -> None:
    text = MINIMAL + f'"attributes.x" = {{ from = "X", transform = ["{transform}"] }}\n'
    person = mapping_from(text).people["Lead"].to_person({"Email": "a@example.com", "X": raw}, REF)
    assert person.attributes["x"] == expected
    assert type(person.attributes["x"]) is type(expected)


@pytest.mark.parametrize(
    ("transform", "raw", "words"),
    [
        ("int", "12.5", "not a whole number"),
        ("int", True, "not a whole number"),
        ("float", "nan", "not a number"),
        ("bool", "maybe", "not a yes/no value"),
        ("date", "tomorrow", "not an ISO 8601 date"),
        ("datetime", "2026-11-01T09:30:00", "no UTC offset"),
        ("datetime", "99999999999999999999999", "out of range"),
        ("datetime", ["2026"], "not a date and time"),
    ],
)
def test_a_transform_refuses_a_bad_value_naming_the_crm_field(
    mapping_from, transform: str, raw: object, words: str
) -> None:
    text = MINIMAL + f'"attributes.x" = {{ from = "Weird__c", transform = ["{transform}"] }}\n'
    with pytest.raises(ModelError) as caught:
        mapping_from(text).people["Lead"].to_person({"Email": "a@example.com", "Weird__c": raw}, REF)
    assert "Lead field 'Weird__c' (attributes.x)" in str(caught.value)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        (
            {"Email": "a@example.com", "NumberOfEmployees": "lots"},
            "'NumberOfEmployees'",
            "not a whole number",
        ),
        ({"Email": "a@example.com", "NumberOfEmployees": -3}, "'NumberOfEmployees'", "negative"),
        ({"Email": "a@example.com", "Status": "Pending"}, "'Status'", "not a Stage id"),
        ({"Email": "a@example.com", "Level__c": "Boss"}, "'Level__c'", "not a JobLevel id"),
        ({"Email": "a@example.com", "CreatedDate": "yesterday"}, "'CreatedDate'", "not an ISO 8601"),
        ({"Email": "a@example.com", "FirstName": {"x": 1}}, "'FirstName'", "is not text"),
        ({"Email": "not an address"}, "'Email'", "invalid e-mail"),
        ({"Email": "a@example.com", "Owner": {"Email": "nobody"}}, "'Owner.Email'", "invalid e-mail"),
        ({"FirstName": "Jane"}, "'Email'", "a person needs an e-mail address"),
        ({"Email": "   "}, "'Email'", "a person needs an e-mail address"),
    ],
)
def test_a_bad_value_raises_a_model_error_naming_the_crm_field(
    mapping_from, raw: dict[str, object], field: str, words: str
) -> None:
    lead = mapping_from(PEOPLE).people["Lead"]
    with pytest.raises(ModelError) as caught:
        lead.to_person(raw, REF)
    assert field in str(caught.value)
    assert words in str(caught.value)


def test_a_huge_bad_value_is_cut_in_the_error(mapping_from) -> None:
    lead = mapping_from(PEOPLE).people["Lead"]
    with pytest.raises(ModelError) as caught:
        lead.to_person({"Email": "a@example.com", "NumberOfEmployees": "9x" * 500_000}, REF)
    assert len(str(caught.value)) < 200


# --- the stage read map derived from the write map -------------------------------------------


def test_the_stage_read_map_is_the_inverse_of_the_write_map_to_the_same_field(mapping_from) -> None:
    text = (
        MINIMAL
        + f'stage = "Status"\n[write.Lead]\nstage = {{ to = "Status", values = {{ {ALL_STAGES} }} }}\n'
    )
    lead = mapping_from(text).people["Lead"]
    assert lead.fields["stage"].values_derived
    assert lead.to_person({"Email": "a@example.com", "Status": "nurturing"}, REF).stage is Stage.NURTURE
    assert lead.to_person({"Email": "a@example.com", "Status": "Won"}, REF).stage is Stage.CUSTOMER


def test_no_read_map_is_derived_from_a_write_to_another_field(mapping_from) -> None:
    text = (
        MINIMAL
        + f'stage = "Status"\n[write.Lead]\nstage = {{ to = "Stage__c", values = {{ {ALL_STAGES} }} }}\n'
    )
    lead = mapping_from(text).people["Lead"]
    assert not lead.fields["stage"].values
    assert lead.to_person({"Email": "a@example.com", "Status": "mql"}, REF).stage is Stage.MQL
    with pytest.raises(ModelError, match="'Status'"):
        lead.to_person({"Email": "a@example.com", "Status": "Engaged"}, REF)


def test_a_crm_value_written_for_two_stages_asks_for_an_explicit_read_map(problems_from) -> None:
    text = (
        MINIMAL + 'stage = "Status"\n[write.Lead]\nstage = { to = "Status", unmapped = "skip", '
        'values = { lead = "Open", mql = "Working", sql = "Working", nurture = "open" } }\n'
    )
    problems = problems_from(text)
    assert [p.path for p in problems] == ["people.Lead.fields.stage", "people.Lead.fields.stage"]
    assert "'Working' is written for both mql and sql in write.Lead.stage" in problems[0].message
    assert "'open' is written for both lead and nurture" in problems[1].message
    assert 'values = { "Working" = "mql"' in problems[0].hint


def test_an_explicit_read_map_settles_an_ambiguous_write_map(mapping_from) -> None:
    text = (
        '[people.Lead.fields]\nemail = "Email"\nstage = { from = "Status", values = { Working = "sql" } }\n'
        '[write.Lead]\nstage = { to = "Status", unmapped = "skip", '
        'values = { mql = "Working", sql = "Working" } }\n'
    )
    lead = mapping_from(text).people["Lead"]
    assert lead.to_person({"Email": "a@example.com", "Status": "Working"}, REF).stage is Stage.SQL


# --- activities ----------------------------------------------------------------------------


def test_the_first_rule_that_holds_gives_the_kind(mapping_from) -> None:
    task = mapping_from(ACTIVITIES).activities["Task"]
    raw = {"WhoId": "00Q2", "CreatedDate": "2026-11-01T09:30:00.000+0000", "TaskSubtype": "Call"}
    demo = task.to_activity({**raw, "Subject": "Call about the DEMO"}, REF, WHO)
    assert demo is not None
    assert (demo.kind, demo.person, demo.detail) == (ActivityKind.DEMO_REQUEST, WHO, "Call about the DEMO")
    assert demo.occurred_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    call = task.to_activity({**raw, "Subject": "Intro"}, REF, WHO)
    assert call is not None
    assert call.kind is ActivityKind.CALL


def test_a_record_no_rule_takes_is_no_activity(mapping_from) -> None:
    task = mapping_from(ACTIVITIES).activities["Task"]
    raw = {"CreatedDate": "2026-11-01T09:30:00Z", "TaskSubtype": "Email", "Subject": "Follow-up"}
    assert task.to_activity(raw, REF, WHO) is None


def test_a_rule_without_when_takes_every_other_record(mapping_from) -> None:
    member = mapping_from(ACTIVITIES).activities["CampaignMember"]
    raw = {"LastModifiedDate": "2026-11-01T09:30:00Z", "Status": "Sent", "Campaign": {"Type": "Email"}}
    other = member.to_activity(raw, REF, WHO)
    assert other is not None
    assert (other.kind, other.detail) == (ActivityKind.FORM_SUBMIT, "")


def test_conditions_read_nested_and_flat_dotted_fields(mapping_from) -> None:
    member = mapping_from(ACTIVITIES).activities["CampaignMember"]
    stamp = {"LastModifiedDate": "2026-11-01T09:30:00Z", "Status": "attended"}
    for raw in ({**stamp, "Campaign": {"Type": "Webinar"}}, {**stamp, "Campaign.Type": "webinar"}):
        activity = member.to_activity(raw, REF, WHO)
        assert activity is not None
        assert activity.kind is ActivityKind.WEBINAR_ATTENDED
    assert member.source_fields() == ("Campaign.Type", "LastModifiedDate", "LeadOrContactId", "Status")


@pytest.mark.parametrize("stamp", [None, "", "2026-11-01T09:30:00", "soon"])
def test_a_bad_or_missing_timestamp_raises_naming_the_field(mapping_from, stamp: object) -> None:
    task = mapping_from(ACTIVITIES).activities["Task"]
    with pytest.raises(ModelError, match=r"Task field 'CreatedDate' \(occurred_at\)"):
        task.to_activity({"CreatedDate": stamp, "TaskSubtype": "Call"}, REF, WHO)


def test_shipped_hubspot_activities_read_epoch_stamps_and_nested_properties() -> None:
    activities = load_mapping(SHIPPED[1]).activities
    contact = RecordRef("hubspot", "contacts", "101")
    email = activities["email_events"].to_activity(
        {"type": "CLICK", "created": 1793525400000, "recipient": "a@example.com", "url": "https://x.io/a"},
        RecordRef("hubspot", "email_events", "e1"),
        contact,
    )
    assert email is not None
    assert (email.kind, email.occurred_at) == (
        ActivityKind.EMAIL_CLICK,
        datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    )
    page = {
        "objectId": "101",
        "occurredAt": "2026-11-01T09:30:00Z",
        "properties": {"hs_url": "https://x.io/pricing"},
    }
    view = activities["page_views"].to_activity(page, RecordRef("hubspot", "page_views", "p1"), contact)
    assert view is not None
    assert (view.kind, view.detail) == (ActivityKind.PRICING_PAGE_VIEW, "https://x.io/pricing")
    canceled = {"hs_createdate": "2026-11-01T09:30:00Z", "hs_meeting_outcome": "CANCELED"}
    assert (
        activities["meetings"].to_activity(canceled, RecordRef("hubspot", "meetings", "m1"), contact) is None
    )


# --- write-back ----------------------------------------------------------------------------


def test_salesforce_lead_stages_map_to_status_values_and_conversion_stages_are_skipped() -> None:
    lead = load_mapping(SHIPPED[0]).write["Lead"]
    assert lead.crm_values("stage", Stage.MQL) == {"Status": "Working - Contacted"}
    assert lead.crm_values("stage", "disqualified") == {"Status": "Closed - Not Converted"}
    assert lead.crm_values("stage", Stage.CUSTOMER) == {}
    (status,) = lead.targets["stage"]
    assert status.crm_value(Stage.OPPORTUNITY) is SKIP
    assert lead.crm_values("temperature", "hot") == {"Rating": "Hot"}
    assert lead.crm_values("score", 72) == {"LeadSync_Score__c": 72}
    assert lead.crm_values("owner", "005000000000001") == {"OwnerId": "005000000000001"}
    assert lead.crm_values("reasons", "demo request (+30)") == {}
    assert lead.crm_values("email_opt_out", True) == {"HasOptedOutOfEmail": True}
    assert lead.target_fields() == frozenset(
        {"Status", "Rating", "LeadSync_Score__c", "OwnerId", "HasOptedOutOfEmail"}
    )


def test_a_hubspot_stage_goes_to_every_property_that_takes_it() -> None:
    contacts = load_mapping(SHIPPED[1]).write["contacts"]
    assert contacts.crm_values("stage", Stage.SQL) == {
        "lifecyclestage": "salesqualifiedlead",
        "hs_lead_status": "IN_PROGRESS",
    }
    assert contacts.crm_values("stage", Stage.NURTURE) == {"hs_lead_status": "BAD_TIMING"}
    assert contacts.crm_values("stage", Stage.CUSTOMER) == {"lifecyclestage": "customer"}
    assert contacts.crm_values("temperature", "warm") == {"leadsync_temperature": "warm"}


def test_a_plain_stage_field_is_written_the_canonical_id(mapping_from) -> None:
    write = mapping_from(MINIMAL + '[write.Lead]\nstage = "Stage__c"\n').write["Lead"]
    assert write.crm_values("stage", Stage.SQL) == {"Stage__c": "sql"}


def test_write_refuses_what_is_not_a_managed_value_or_id() -> None:
    lead = load_mapping(SHIPPED[0]).write["Lead"]
    with pytest.raises(ModelError, match="not a stage id"):
        lead.crm_values("stage", "won")
    with pytest.raises(ModelError, match="not a managed value"):
        lead.crm_values("rating", "hot")


# --- load-time problems --------------------------------------------------------------------

LEAD_WRITE = MINIMAL + "[write.Lead]\n"
TASK = MINIMAL + '[activities.Task]\nperson = "WhoId"\noccurred_at = "CreatedDate"\n'


@pytest.mark.parametrize(
    ("text", "key", "words", "hint"),
    [
        (
            MINIMAL + 'frist_name = "FirstName"\n',
            "people.Lead.fields.frist_name",
            "common-model field",
            "first_name",
        ),
        (MINIMAL + 'ref = "Id"\n', "people.Lead.fields.ref", "record id", "remove"),
        (
            MINIMAL + '"qualification.Big Budget" = "B"\n',
            'people.Lead.fields."qualification.Big Budget"',
            "not a valid qualification name",
            "lower-case",
        ),
        (
            MINIMAL + 'attributes = "X"\n',
            "people.Lead.fields.attributes",
            "needs a name",
            "attributes.<name>",
        ),
        ('[people.Lead.fields]\nfirst_name = "F"\n', "people.Lead.fields.email", "is missing", "email ="),
        (
            MINIMAL + 'employees = { from = "N", transform = ["integer"] }\n',
            "people.Lead.fields.employees.transform[0]",
            "unknown transform 'integer'",
            "`int`",
        ),
        (
            MINIMAL + 'employees = { from = "N", transform = 5 }\n',
            "people.Lead.fields.employees.transform",
            "must be a list",
            "transform = [",
        ),
        (
            MINIMAL + 'country = { from = "C", values = ["FR"] }\n',
            "people.Lead.fields.country.values",
            "must be a table",
            "values = {",
        ),
        (
            MINIMAL + 'country = { from = "C", values = {} }\n',
            "people.Lead.fields.country.values",
            "is empty",
            "remove",
        ),
        (
            MINIMAL + 'country = { from = "C", values = { France = ["FR"] } }\n',
            "people.Lead.fields.country.values.France",
            "single value",
            "e.g.",
        ),
        (
            MINIMAL + 'country = { from = "C", values = { FR = "FR", fr = "FR" } }\n',
            "people.Lead.fields.country.values.fr",
            "case-insensitively",
            "keep one",
        ),
        (
            MINIMAL + 'stage = { from = "Status", values = { Open = "open" } }\n',
            "people.Lead.fields.stage.values.Open",
            "cannot be read as stage",
            "lead, mql",
        ),
        (
            MINIMAL + 'job_level = { from = "L", values = { VP = "vice" } }\n',
            "people.Lead.fields.job_level.values.VP",
            "cannot be read as job_level",
            "executive",
        ),
        (
            MINIMAL + 'employees = { from = "N", values = { "1-5" = "five" } }\n',
            "people.Lead.fields.employees.values.1-5",
            "not a whole number",
            "employees",
        ),
        (MINIMAL + "first_name = 5\n", "people.Lead.fields.first_name", "CRM field name or a table", "e.g."),
        (MINIMAL + 'first_name = "First Name"\n', "people.Lead.fields.first_name", "without blanks", "e.g."),
        (
            MINIMAL + 'employees = { transform = ["int"] }\n',
            "people.Lead.fields.employees.from",
            "is missing",
            "from =",
        ),
        (
            MINIMAL + 'employees = { from = "N", transfrom = ["int"] }\n',
            "people.Lead.fields.employees.transfrom",
            "unknown key",
            "`transform`",
        ),
        (MINIMAL + '[peopel.Contact.fields]\nemail = "Email"\n', "peopel", "unknown key", "`people`"),
        ('[people.Lead]\nfeilds = { email = "Email" }\n', "people.Lead.feilds", "unknown key", "`fields`"),
        (
            '[people.Lead]\nfeilds = { email = "Email" }\n',
            "people.Lead.fields",
            "is missing",
            "[people.Lead.fields]",
        ),
        ('[people]\nLead = "Email"\n', "people.Lead", "must be a table", "[people.Lead.fields]"),
        ('[write.Lead]\nscore = "S"\n', "people", "no people object", "[people.Lead.fields]"),
        (LEAD_WRITE + 'scor = "S"\n', "write.Lead.scor", "unknown key", "`score`"),
        (LEAD_WRITE, "write.Lead", "writes nothing", "stage, score"),
        (
            LEAD_WRITE + 'score = { to = "S", values = { a = "b" } }\n',
            "write.Lead.score.values",
            "no value map",
            'score = "S"',
        ),
        (LEAD_WRITE + 'score = { values = { a = "b" } }\n', "write.Lead.score.to", "is missing", "to ="),
        (
            LEAD_WRITE + 'stage = { to = "Status", values = { lead = "Open" } }\n',
            "write.Lead.stage.values",
            "does not map mql, sql, opportunity, customer, nurture, disqualified",
            'unmapped = "skip"',
        ),
        (
            LEAD_WRITE + 'temperature = { to = "Rating", values = { hot = "Hot" } }\n',
            "write.Lead.temperature.values",
            "does not map cold, warm",
            "cold, warm, hot",
        ),
        (
            LEAD_WRITE + 'temperature = { to = "R", values = { hot = "H" }, unmapped = "skip" }\n',
            "write.Lead.temperature.unmapped",
            "cannot skip",
            "map every",
        ),
        (
            LEAD_WRITE + 'stage = { to = "S", values = { lead = "N" }, unmapped = "ignore" }\n',
            "write.Lead.stage.unmapped",
            "unknown setting 'ignore'",
            'unmapped = "skip"',
        ),
        (
            LEAD_WRITE + 'stage = { to = "S", unmapped = "skip" }\n',
            "write.Lead.stage.unmapped",
            "nothing to skip",
            "values =",
        ),
        (
            LEAD_WRITE + 'stage = { to = "S", unmapped = "skip", values = { leed = "N" } }\n',
            "write.Lead.stage.values.leed",
            "unknown stage id 'leed'",
            "`lead`",
        ),
        (
            LEAD_WRITE + 'stage = { to = "S", unmapped = "skip", values = { lead = ["N"] } }\n',
            "write.Lead.stage.values.lead",
            "one CRM value",
            "e.g.",
        ),
        (
            LEAD_WRITE + 'score = "Score__c"\nreasons = "score__C"\n',
            "write.Lead.reasons",
            "writes 'score__C', which write.Lead.score writes too",
            "one managed value",
        ),
        (
            LEAD_WRITE + 'stage = ["Status", "Status"]\n',
            "write.Lead.stage[1]",
            "write.Lead.stage[0] writes too",
            "pick another field",
        ),
        (LEAD_WRITE + "stage = []\n", "write.Lead.stage", "empty list", "targets"),
        (LEAD_WRITE + "owner = 7\n", "write.Lead.owner", "CRM field name or a table", "e.g."),
        (MINIMAL + '[write.Leads]\nscore = "S"\n', "write.Leads", "unknown people object 'Leads'", "`Lead`"),
        (
            TASK + '[[activities.Task.rules]]\nkind = "phone_call"\n',
            "activities.Task.rules[0].kind",
            "unknown activity kind 'phone_call'",
            "call, unsubscribe",
        ),
        (
            TASK + "[[activities.Task.rules]]\nkind = 3\n",
            "activities.Task.rules[0].kind",
            "activity kind",
            "page_view",
        ),
        (
            TASK + '[[activities.Task.rules]]\nknd = "call"\n',
            "activities.Task.rules[0].knd",
            "unknown key",
            "`kind`",
        ),
        (TASK, "activities.Task.rules", "is missing", "[[activities.Task.rules]]"),
        (TASK + "rules = []\n", "activities.Task.rules", "non-empty list", "kind ="),
        (
            MINIMAL + '[activities.Task]\noccurred_at = "D"\n[[activities.Task.rules]]\nkind = "call"\n',
            "activities.Task.person",
            "is missing",
            "person =",
        ),
        (
            MINIMAL
            + '[activities.Task]\nperson = "W"\noccurred_at = "D"\ndetail = ""\n[[activities.Task.rules]]\n'
            'kind = "call"\n',
            "activities.Task.detail",
            "without blanks",
            "detail =",
        ),
        (
            TASK
            + '[[activities.Task.rules]]\nkind = "call"\n[[activities.Task.rules]]\nkind = "page_view"\n',
            "activities.Task.rules[1]",
            "never applies: activities.Task.rules[0]",
            "last",
        ),
        (
            TASK
            + '[[activities.Task.rules]]\nkind = "call"\n'
            + 'when = { field = "Subject", op = "like", value = "x" }\n',
            "activities.Task.rules[0].when.op",
            "unknown operator 'like'",
            "contains",
        ),
        (
            TASK + '[[activities.Task.rules]]\nkind = "call"\nwhen = "Subject"\n',
            "activities.Task.rules[0].when",
            "must be a table",
            "field =",
        ),
        (
            MINIMAL + '[activities."Ta sk"]\nperson = "W"\n',
            'activities."Ta sk"',
            "without blanks",
            "CRM object",
        ),
    ],
)
def test_each_problem_names_file_key_and_fix(problems_from, tmp_path, *, text, key, words, hint) -> None:
    problems = problems_from(text)
    matching = [p for p in problems if p.path == key]
    assert matching, [p.render() for p in problems]
    problem = matching[0]
    assert problem.file == str(tmp_path / "mapping.toml")
    assert words in problem.message
    assert hint in problem.hint


def test_a_toml_syntax_error_is_one_problem_with_its_line(problems_from) -> None:
    (problem,) = problems_from("[people.Lead.fields]\nemail = Email\n")
    assert "not valid TOML" in problem.message
    assert "line 2" in problem.message
    assert problem.hint


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_mapping(tmp_path / "absent.toml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.message) == (str(tmp_path / "absent.toml"), "file not found")
    assert "mappings/salesforce.toml" in problem.hint


def test_every_problem_in_a_file_is_reported_at_once(problems_from) -> None:
    text = (
        '[people.Lead.fields]\nemial = "Email"\nemployees = { from = "N", transform = ["integer"] }\n'
        '[write.Lead]\nstage = { to = "Status", values = { lead = "Open" } }\n'
        '[activities.Task]\nperson = "WhoId"\noccurred_at = "CreatedDate"\n'
        '[[activities.Task.rules]]\nkind = "phone"\n'
    )
    problems = problems_from(text)
    assert {p.path for p in problems} == {
        "people.Lead.fields.emial",
        "people.Lead.fields.email",
        "people.Lead.fields.employees.transform[0]",
        "write.Lead.stage.values",
        "activities.Task.rules[0].kind",
    }
    assert all(p.hint for p in problems)


def test_huge_names_and_values_are_cut_in_problems(problems_from) -> None:
    huge = "x" * 1_000_000
    text = MINIMAL + f'"{huge}" = "F"\nemployees = {{ from = "N", transform = ["{huge}"] }}\n'
    problems = problems_from(text)
    assert len(problems) == 2
    for problem in problems:
        assert len(problem.render()) < 1500


def _nested_condition(depth: int) -> str:
    condition = '{ field = "Subject", op = "exists" }'
    for _ in range(depth):
        condition = f"{{ all = [{condition}] }}"
    return TASK + f'[[activities.Task.rules]]\nkind = "call"\nwhen = {condition}\n'


def test_a_condition_nested_too_deep_is_a_problem_not_a_crash(problems_from, mapping_from) -> None:
    assert mapping_from(_nested_condition(20)).activities["Task"].rules[0].fields == frozenset({"Subject"})
    (problem,) = problems_from(_nested_condition(60))
    assert (problem.path, problem.message) == (
        "activities.Task.rules[0].when",
        "nests more than 32 groups deep",
    )


def test_a_file_nested_beyond_what_toml_can_read_is_a_problem_not_a_crash(problems_from) -> None:
    (problem,) = problems_from(MINIMAL + "first_name = " + "[" * 2000 + "]" * 2000 + "\n")
    assert (problem.path, problem.message) == ("", "nests lists or tables too deeply to be read")


# --- condition_fields ----------------------------------------------------------------------


def test_condition_fields_finds_fields_at_any_depth_and_ignores_junk() -> None:
    condition = {
        "all": [
            {"field": "Type", "op": "=", "value": "Webinar"},
            {"any": [{"field": "Status", "op": "=", "value": "x"}, {"none": [{"field": "Campaign.Name"}]}]},
            "junk",
            {"field": 3},
        ]
    }
    assert condition_fields(condition) == frozenset({"Type", "Status", "Campaign.Name"})
    assert condition_fields(None) == frozenset()
    assert condition_fields({"field": "A", "value": {"field": "not a condition"}}) == frozenset({"A"})


# --- any input: a ConfigError or a mapping, nothing else --------------------------------------

VOCABULARY = [
    "people", "activities", "write", "fields", "Lead", "Task", "email", "stage", "employees",
    "qualification", "attributes", "qualification.budget", "from", "transform", "values", "to",
    "unmapped", "skip", "person", "occurred_at", "detail", "rules", "kind", "when", "field", "op",
    "value", "all", "any", "none", "score", "temperature", "owner", "lead", "cold", "int", "",
]  # fmt: skip


def _loaded(path: Path) -> tuple[CrmMapping | None, tuple[Problem, ...]]:
    try:
        return load_mapping(path), ()
    except ConfigError as exc:
        return None, exc.problems


def _toml_string(text: str) -> str:
    escaped = (
        f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else "\\" + c if c in '"\\' else c for c in text
    )
    return '"' + "".join(escaped) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    assert isinstance(value, dict)
    return "{ " + ", ".join(f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"


def _toml(document: dict[str, object]) -> str:
    """A tiny TOML writer: every table inline, every string quoted."""
    return "".join(f"{_toml_string(key)} = {_toml_value(value)}\n" for key, value in document.items())


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_keys = st.one_of(st.sampled_from(VOCABULARY), _text)
_scalars = st.one_of(
    st.sampled_from(VOCABULARY),
    _text,
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.dictionaries(_keys, _values, max_size=4))
def test_any_document_loads_or_raises_config_error(tmp_path_factory, document: dict[str, object]) -> None:
    path = tmp_path_factory.mktemp("any") / "mapping.toml"
    path.write_text(_toml(document), encoding="utf-8")
    mapping, problems = _loaded(path)
    assert (mapping is None) == bool(problems)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_loads_or_raises_config_error(tmp_path_factory, text: str) -> None:
    path = tmp_path_factory.mktemp("text") / "mapping.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    with contextlib.suppress(ConfigError):
        load_mapping(path)


# Mostly well-formed mappings with a little junk mixed in, so that a good share of them load
# and the compiled mapping can be run on random records too.
def _mostly(good, bad):
    # one draw in 21 is junk; 7 is no boundary, which Hypothesis would favour
    return st.integers(0, 20).flatmap(lambda n: bad if n == 7 else good)


_crm_names = _mostly(st.sampled_from(["Email", "Status", "N__c", "Owner.Email", "a.b"]), _text)
_field_specs = _mostly(
    st.one_of(
        _crm_names,
        st.fixed_dictionaries(
            {"from": _crm_names},
            optional={
                "transform": st.lists(_mostly(st.sampled_from(list(TRANSFORMS)), _scalars), max_size=3),
                "values": st.dictionaries(_text, _scalars, max_size=3),
            },
        ),
    ),
    _values,
)
_targets = _mostly(st.sampled_from([*PERSON_TARGETS, "qualification.budget", "attributes.grade"]), _keys)
_numbers = st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6))
_comparisons = st.one_of(
    st.fixed_dictionaries({"field": _crm_names, "op": st.sampled_from(["=", "!="]), "value": _scalars}),
    st.fixed_dictionaries(
        {
            "field": _crm_names,
            "op": st.sampled_from(["in", "not_in"]),
            "value": st.lists(_scalars, min_size=1),
        }
    ),
    st.fixed_dictionaries(
        {"field": _crm_names, "op": st.sampled_from(["contains", "ends_with"]), "value": st.text(min_size=1)}
    ),
    st.fixed_dictionaries({"field": _crm_names, "op": st.sampled_from([">", "<="]), "value": _numbers}),
    st.fixed_dictionaries({"field": _crm_names, "op": st.sampled_from(["exists", "missing"])}),
)
_conditions = st.recursive(
    _mostly(_comparisons, _values),
    lambda inner: st.dictionaries(
        st.sampled_from(["all", "any", "none"]),
        st.lists(inner, min_size=1, max_size=3),
        min_size=1,
        max_size=1,
    ),
    max_leaves=6,
)
_rules = st.lists(
    st.fixed_dictionaries(
        {
            "kind": _mostly(st.sampled_from(list(ActivityKind)), _scalars),
            "when": _mostly(_conditions, _values),
        }
    ),
    min_size=1,
    max_size=4,
)
_ids = _mostly(st.sampled_from([*Stage, *Temperature]), _text)
_write_target = st.fixed_dictionaries(
    {"to": _crm_names},
    optional={
        "values": st.dictionaries(_ids, _mostly(_text, _values), max_size=8),
        "unmapped": _mostly(st.just("skip"), _scalars),
    },
)
_write_specs = _mostly(
    st.one_of(_crm_names, _write_target, st.lists(_write_target, min_size=1, max_size=3)), _values
)
_near_valid = st.fixed_dictionaries(
    {
        "people": st.fixed_dictionaries(
            {
                "Lead": st.fixed_dictionaries(
                    {
                        "fields": st.builds(
                            lambda email, more: {**more, "email": email},
                            _field_specs,
                            st.dictionaries(_targets, _field_specs, max_size=6),
                        )
                    }
                )
            }
        )
    },
    optional={
        "write": st.fixed_dictionaries(
            {
                "Lead": st.dictionaries(
                    _mostly(st.sampled_from(MANAGED), _keys), _write_specs, min_size=1, max_size=4
                )
            }
        ),
        "activities": st.fixed_dictionaries(
            {
                "Task": st.fixed_dictionaries(
                    {"person": _crm_names, "occurred_at": _crm_names, "rules": _rules},
                    optional={"detail": _crm_names},
                )
            }
        ),
    },
)
_records = st.dictionaries(st.sampled_from(["Email", "Status", "N__c", "Owner", "Owner.Email", "a"]), _values)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_near_valid, raw=_records, value=_scalars)
def test_a_near_valid_mapping_loads_or_raises_config_error_and_reads_raise_only_model_errors(
    tmp_path_factory, document, raw, value
) -> None:
    path = tmp_path_factory.mktemp("near") / "mapping.toml"
    path.write_text(_toml(document), encoding="utf-8")
    mapping, problems = _loaded(path)
    assert all(p.file == str(path) and p.hint for p in problems)
    if mapping is None:
        return
    with contextlib.suppress(ModelError):
        mapping.people["Lead"].to_person(raw, REF)
    for activities in mapping.activities.values():
        with contextlib.suppress(ModelError):
            activities.to_activity(raw, REF, WHO)
    for write in mapping.write.values():
        for managed in MANAGED:
            with contextlib.suppress(ModelError):
                assert set(write.crm_values(managed, value)) <= write.target_fields()


@settings(max_examples=200, deadline=None)
@given(raw=_records)
def test_to_person_raises_only_model_errors_on_any_payload(raw) -> None:
    lead = _shipped(0).people["Lead"]
    try:
        person = lead.to_person(raw, REF)
    except ModelError:
        return
    assert person.email
    assert person.employees is None or person.employees >= 0
