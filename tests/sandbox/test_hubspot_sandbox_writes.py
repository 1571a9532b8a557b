"""Writes to the HubSpot sandbox through the real hubspot-api-client: batches, validation, stamps, merges."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput, SimplePublicObjectInput
from hubspot.crm.contacts.exceptions import ApiException

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.clock import ManualClock
from tests.sandbox.hubspot_helpers import NOW, error_body, search


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=600, seed=11, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


def contacts(sandbox, first, count=1):
    """`count` contact ids from position `first`: each test writes its own contacts."""
    return sandbox.store.ids()[first : first + count]


def update(sandbox: HubSpotSandbox, writes: list[tuple[str, dict[str, str]]]) -> Any:
    inputs = [{"id": contact_id, "properties": values} for contact_id, values in writes]
    return sandbox.client().crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(inputs=inputs)
    )


def refused(sandbox, writes):
    with pytest.raises(ApiException) as raised:
        update(sandbox, writes)
    assert raised.value.status == 400
    return error_body(raised.value)


def test_a_batch_update_writes_and_answers_complete(hubspot):
    ids = contacts(hubspot, 0, 3)
    answer = update(hubspot, [(i, {"leadsync_score": "42", "leadsync_temperature": "warm"}) for i in ids])
    assert answer.status == "COMPLETE"
    assert not getattr(answer, "errors", None)
    assert sorted(r.id for r in answer.results) == sorted(ids)
    assert all(r.properties["leadsync_score"] == "42" for r in answer.results)
    assert all(hubspot.store.contact(i)["leadsync_temperature"] == "warm" for i in ids)


def test_one_stamp_for_a_whole_batch_and_the_stamp_moves_forward(hubspot):
    ids = contacts(hubspot, 3, 4)
    before = max(hubspot.store.contact(i)["lastmodifieddate"] for i in ids)
    answer = update(hubspot, [(i, {"leadsync_reasons": "pricing page x3"}) for i in ids])
    stamps = {hubspot.store.contact(i)["lastmodifieddate"] for i in ids}
    assert len(stamps) == 1
    assert stamps.pop() > before
    assert len({r.updated_at for r in answer.results}) == 1
    changed_since = {"propertyName": "lastmodifieddate", "operator": "GT", "value": before}
    found = hubspot.client().crm.contacts.search_api.do_search(
        public_object_search_request=search([changed_since])
    )
    assert set(ids) <= {r.id for r in found.results}


def test_unknown_ids_are_a_207_and_the_others_are_written(hubspot):
    known = contacts(hubspot, 7)[0]
    answer = update(hubspot, [(known, {"leadsync_score": "7"}), ("999999999", {"leadsync_score": "7"})])
    assert [r.id for r in answer.results] == [known]
    assert answer.num_errors == 1
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context == {"ids": ["999999999"]}
    assert hubspot.store.contact(known)["leadsync_score"] == "7"


def test_one_bad_enumeration_value_fails_the_whole_batch(hubspot):
    ids = contacts(hubspot, 8, 3)
    before = [hubspot.store.contact(i) for i in ids]
    writes = [(i, {"leadsync_temperature": "hot"}) for i in ids[:2]] + [
        (ids[2], {"leadsync_temperature": "tepid"})
    ]
    problem = refused(hubspot, writes)
    assert problem["category"] == "VALIDATION_ERROR"
    assert problem["message"].startswith("Property values were not valid: [")
    assert problem["errors"] == [
        {
            "message": "tepid was not one of the allowed options: [cold, warm, hot]",
            "code": "INVALID_OPTION",
            "context": {"propertyName": ["leadsync_temperature"]},
        }
    ]
    assert [hubspot.store.contact(i) for i in ids] == before  # nothing written, stamps unchanged


def test_read_only_and_unknown_properties_are_refused(hubspot):
    contact_id = contacts(hubspot, 11)[0]
    problem = refused(hubspot, [(contact_id, {"hubspotscore": "99", "favourite_colour": "blue"})])
    assert [(e["code"], e["context"]["propertyName"]) for e in problem["errors"]] == [
        ("READ_ONLY_VALUE", ["hubspotscore"]),
        ("PROPERTY_DOESNT_EXIST", ["favourite_colour"]),
    ]
    assert (
        problem["errors"][0]["message"] == '"hubspotscore" is a read only property; its value cannot be set.'
    )


def test_duplicate_ids_and_more_than_100_inputs_are_a_400(hubspot):
    contact_id = contacts(hubspot, 12)[0]
    problem = refused(hubspot, [(contact_id, {"leadsync_score": "1"}), (contact_id, {"leadsync_score": "2"})])
    assert problem["message"] == f"Duplicate IDs found in batch input: [{contact_id}]. IDs must be unique"
    assert problem["context"] == {"ids": [contact_id]}
    refused(hubspot, [(str(i), {"leadsync_score": "1"}) for i in range(101)])


def test_a_lifecycle_stage_never_moves_back_unless_cleared_first(hubspot):
    contact_id = contacts(hubspot, 13)[0]
    update(hubspot, [(contact_id, {"lifecyclestage": "salesqualifiedlead"})])
    answer = update(hubspot, [(contact_id, {"lifecyclestage": "lead"})])  # backwards: ignored, no error
    assert answer.status == "COMPLETE"
    assert hubspot.store.contact(contact_id)["lifecyclestage"] == "salesqualifiedlead"
    update(hubspot, [(contact_id, {"lifecyclestage": ""})])
    update(hubspot, [(contact_id, {"lifecyclestage": "lead"})])
    assert hubspot.store.contact(contact_id)["lifecyclestage"] == "lead"


def test_patch_one_contact_with_hubspot_validation(hubspot):
    api = hubspot.client().crm.contacts.basic_api
    contact_id = contacts(hubspot, 14)[0]
    answer = api.update(
        contact_id, SimplePublicObjectInput(properties={"leadsync_stage_date": "1767225600000"})
    )
    assert answer.properties["leadsync_stage_date"] == "2026-01-01T00:00:00.000Z"
    with pytest.raises(ApiException) as raised:
        api.update(contact_id, SimplePublicObjectInput(properties={"hubspot_owner_id": "123"}))
    assert error_body(raised.value)["errors"][0]["code"] == "INVALID_OPTION"


def test_a_person_edits_and_merges_in_the_ui():
    with HubSpotSandbox(people=200, seed=3, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        keep, lose = sandbox.store.ids()[:2]
        before = sandbox.store.contact(keep)["lastmodifieddate"]
        sandbox.store.update_as_user(keep, lifecyclestage="subscriber", jobtitle="CTO")
        edited = sandbox.store.contact(keep)
        assert edited["lifecyclestage"] == "subscriber"
        assert edited["lastmodifieddate"] > before
        with pytest.raises(ValueError, match="lifecyclestage"):
            sandbox.store.update_as_user(keep, lifecyclestage="mql")
        sandbox.store.merge(keep, lose)
        assert lose in sandbox.store.contact(keep)["hs_merged_object_ids"].split(";")
        assert lose not in sandbox.store.ids()
        answer = sandbox.client().crm.contacts.basic_api.get_by_id(lose)
        assert answer.id == keep


def test_chosen_records_refuse_writes_and_fail_their_batch(hubspot):
    ids = contacts(hubspot, 20, 2)
    hubspot.store.reject_writes(ids[1], property_name="lifecyclestage")
    try:
        problem = refused(hubspot, [(i, {"lifecyclestage": "marketingqualifiedlead"}) for i in ids])
        assert problem["errors"][0]["code"] == "INVALID_OPTION"
        assert problem["errors"][0]["context"] == {"propertyName": ["lifecyclestage"]}
        assert update(hubspot, [(ids[0], {"lifecyclestage": "marketingqualifiedlead"})]).status == "COMPLETE"
    finally:
        hubspot.store.accept_writes(ids[1])
    assert update(hubspot, [(ids[1], {"leadsync_score": "3"})]).status == "COMPLETE"


def read_by_email(sandbox: HubSpotSandbox, *emails: str) -> tuple[list[str], list[str]]:
    """A contact batch read by `idProperty=email`: the ids found and the addresses not found."""
    answer = sandbox.client().crm.contacts.batch_api.read(
        batch_read_input_simple_public_object_id={
            "inputs": [{"id": e} for e in emails], "idProperty": "email", "properties": ["email"],
        },
        _preload_content=False,
    )  # fmt: skip
    found = json.loads(answer.data)
    missing = [i for e in found.get("errors", []) for i in e["context"]["ids"]]
    return [r["id"] for r in found["results"]], missing


def test_reads_by_email_follow_writes_edits_and_merges() -> None:
    with HubSpotSandbox(people=200, seed=3, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        first, second, third = sandbox.store.ids()[:3]
        old = (sandbox.store.contact(first) or {})["email"]
        update(sandbox, [(first, {"email": "renamed@example.com"})])
        assert read_by_email(sandbox, " Renamed@Example.com ", old) == ([first], [old])
        sandbox.store.update_as_user(second, email="moved@example.com")
        assert read_by_email(sandbox, "moved@example.com") == ([second], [])
        sandbox.store.merge(third, second)
        assert read_by_email(sandbox, "moved@example.com") == ([], ["moved@example.com"])
