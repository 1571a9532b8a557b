"""The kit's schema check on plain field descriptions: no CRM, no HTTP."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from leadsync.kit import CrmField, FieldKind, SchemaWords, schema_problems
from leadsync.mapping import CrmMapping, load_mapping
from leadsync.problems import Problem

K = FieldKind
Load = Callable[[str], CrmMapping]
WORDS = SchemaWords(
    crm="Acme CRM",
    noun="field",
    missing_fix=lambda obj, field: f"create {field} on {obj}",
    read_only_fix="write to an editable field",
    written_elsewhere=frozenset({"email_opt_out"}),
)
LEAD = {
    f.name: f
    for f in (
        CrmField("Email", K.TEXT, "email"),
        CrmField("Employees", K.NUMBER, "int"),
        CrmField("Title", K.TEXT, "string"),
        CrmField("Created", K.WHEN, "datetime", writable=False),
        CrmField("Budget", K.BOOL, "boolean"),
        CrmField("OptOut", K.BOOL, "boolean", writable=False),
        CrmField("Status", K.CHOICE, "picklist", options=frozenset({"Open", "Working"})),
        CrmField("Score", K.NUMBER, "double", writable=False, why_read_only="a formula"),
        CrmField("OwnerId", K.REFERENCE, "reference", relationship="Owner"),
    )
}
GOOD = """
[people.Lead.fields]
email = "Email"
employees = "Employees"
title = "Title"
created_at = "Created"
owner_email = "Owner.Email"
"qualification.budget" = "Budget"
"attributes.rank" = "Score"
stage = { from = "Status", values = { Open = "lead", Working = "mql" } }

[write.Lead]
owner = "OwnerId"
email_opt_out = "OptOut"

[write.Lead.stage]
to = "Status"
unmapped = "skip"
values = { lead = "Open", mql = "Working" }
"""


@pytest.fixture
def mapping_of(tmp_path: Path) -> Load:
    def load(text: str) -> CrmMapping:
        path = tmp_path / "mapping.toml"
        path.write_text(text, encoding="utf-8")
        return load_mapping(path)

    return load


def problems_of(mapping: CrmMapping, fields: Mapping[str, CrmField] = LEAD) -> dict[str, Problem]:
    return {p.path: p for p in schema_problems(mapping, {"Lead": fields}, WORDS)}


def test_a_mapping_that_fits_has_no_problem(mapping_of: Load) -> None:
    assert problems_of(mapping_of(GOOD)) == {}


def test_every_mismatch_is_named_by_its_key_with_a_fix(mapping_of: Load) -> None:
    mapping = mapping_of(
        GOOD.replace('title = "Title"', 'title = "JobTitle"')
        .replace('employees = "Employees"', 'employees = "Title"')
        .replace('"Owner.Email"', '"Manager.Email"')
        .replace('owner = "OwnerId"', 'owner = "Title"\nscore = "Score"')
        .replace('mql = "Working"', 'mql = "Qualified"')
    )
    problems = problems_of(mapping)
    assert {key: p.message for key, p in problems.items()} == {
        "people.Lead.fields.title": "'JobTitle' is not a field of Lead",
        "people.Lead.fields.employees": "Lead.Title is a string field; employees needs a number field",
        "people.Lead.fields.owner_email": "Lead has no relationship 'Manager' (read as 'Manager.Email')",
        "write.Lead.owner": "Lead.Title is a string field; owner needs a record reference field",
        "write.Lead.score": "Lead.Score is read-only in Acme CRM (a formula)",
        "write.Lead.stage.values.mql": "'Qualified' is not an option of Lead.Status",
    }
    assert problems["people.Lead.fields.title"].hint == "create JobTitle on Lead"
    assert problems["write.Lead.stage.values.mql"].hint.endswith("map mql to one of: Open, Working")
    assert all(p.file == str(mapping.file) and p.hint for p in problems.values())


def test_a_transform_or_a_value_map_lets_a_field_of_another_kind_be_read(mapping_of: Load) -> None:
    text = GOOD.replace('employees = "Employees"', 'employees = { from = "Title", transform = ["int"] }')
    assert problems_of(mapping_of(text)) == {}
    mapped = GOOD.replace('employees = "Employees"', 'employees = { from = "Status", values = { Open = 5 } }')
    assert problems_of(mapping_of(mapped)) == {}


def test_several_targets_of_one_value_are_keyed_by_position(mapping_of: Load) -> None:
    text = GOOD.replace('owner = "OwnerId"', 'owner = ["OwnerId", "Title"]')
    problems = problems_of(mapping_of(text))
    assert list(problems) == ["write.Lead.owner[1]"]


def test_objects_not_described_are_skipped_and_activities_need_their_fields(mapping_of: Load) -> None:
    text = GOOD + (
        '\n[activities.Task]\nperson = "WhoId"\noccurred_at = "Created"\n'
        '[[activities.Task.rules]]\nkind = "email_open"\n'
    )
    mapping = mapping_of(text)
    assert schema_problems(mapping, {}, WORDS) == []
    task = {"Created": CrmField("Created", K.WHEN, "datetime")}
    found = schema_problems(mapping, {"Lead": LEAD, "Task": task}, WORDS)
    assert [(p.path, p.message) for p in found] == [("activities.Task", "'WhoId' is not a field of Task")]


def test_a_field_holding_an_id_from_another_crm_must_exist(mapping_of: Load) -> None:
    text = GOOD.replace(
        "[write.Lead]", '[people.Lead.same_as.hubspot]\ncontacts = "HubSpotId"\n\n[write.Lead]'
    )
    mapping = mapping_of(text)
    problems = problems_of(mapping)
    assert {key: p.message for key, p in problems.items()} == {
        "people.Lead.same_as.hubspot.contacts": "'HubSpotId' is not a field of Lead"
    }
    with_field = {**LEAD, "HubSpotId": CrmField("HubSpotId", K.TEXT, "string")}
    assert problems_of(mapping, with_field) == {}
