"""A mapped attribute holds one value: text, a finite number, yes/no or a transform's datetime.

Found by fuzzing the cycle (tests/reliability/test_fuzz_cycle.py): a CRM field holding a
nested object was kept as the attribute, and a one-key object such as {"$datetime": "x"}
came back from the state store as its tagged datetime — the cycle failed on every read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadsync.exceptions import ModelError
from leadsync.mapping import load_mapping
from leadsync.model import RecordRef
from tests.conftest import REPO

LEADS = load_mapping(REPO / "adapters" / "salesforce" / "mapping.toml").people["Lead"]
REF = RecordRef("salesforce", "Lead", "00Q000000000001AAA")


@pytest.mark.parametrize(
    "raw", [{"$datetime": "x"}, {"a": 1}, [1, 2], [], float("nan"), float("inf"), -float("inf")]
)
def test_an_attribute_that_is_not_one_value_is_refused_naming_its_crm_field(raw: object) -> None:
    with pytest.raises(ModelError) as caught:
        LEADS.to_person({"Email": "a@example.com", "pi__grade__c": raw}, REF)
    assert "Lead field 'pi__grade__c' (attributes.pardot_grade)" in str(caught.value)
    assert "is not a single value" in str(caught.value)


@pytest.mark.parametrize("raw", ["A", 7, 2.5, True, 0])
def test_an_attribute_of_one_value_is_kept_as_read(raw: object) -> None:
    person = LEADS.to_person({"Email": "a@example.com", "pi__grade__c": raw}, REF)
    assert person.attributes["pardot_grade"] == raw
    assert type(person.attributes["pardot_grade"]) is type(raw)


def test_a_transform_may_make_an_attribute_a_datetime(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(
        '[people.Lead.fields]\nemail = "Email"\n'
        '"attributes.seen" = { from = "Seen__c", transform = ["datetime"] }\n',
        encoding="utf-8",
    )
    people = load_mapping(path).people["Lead"]
    person = people.to_person({"Email": "a@example.com", "Seen__c": "2026-11-01T09:30:00Z"}, REF)
    assert person.attributes["seen"] == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
