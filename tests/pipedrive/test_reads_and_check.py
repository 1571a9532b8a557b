"""Pipedrive reads: persons by label through hash keys, activities typed, owners, and check --live."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from adapters.pipedrive.sandbox import SCORE, TEMPERATURE
from leadsync.model import ActivityKind, Cursor, RecordRef

EPOCH = Cursor(datetime(2000, 1, 1, tzinfo=UTC))


def test_check_passes_and_names_a_missing_field_and_a_missing_option_with_the_fix(company):
    assert company.adapter().check().problems == ()
    score = next(f for f in company.sandbox.fields if f["field_name"] == SCORE)
    temperature = next(f for f in company.sandbox.fields if f["field_name"] == TEMPERATURE)
    score["field_name"] = "Lead score"  # an admin renamed it
    temperature["options"] = temperature["options"][:2]  # and removed "hot"
    problems = company.adapter().check().problems
    text = " ".join(f"{p.path} {p.message} {p.hint}" for p in problems)
    assert "write.person.score" in text
    assert "create a person field labelled 'leadsync_score'" in text
    assert "hot" in text


def test_custom_fields_are_read_by_label_and_options_by_label(company):
    person = company.sandbox.persons[7]
    person["custom_fields"][company.sandbox.field_code(SCORE)] = 42
    person["custom_fields"][company.sandbox.field_code(TEMPERATURE)] = 2  # option id 2: warm
    (current,) = company.adapter().read_current([_ref(7)])
    assert current.values["score"] == 42
    assert current.values["temperature"] == "warm"


def test_the_token_goes_in_a_header_and_is_never_logged(company):
    with structlog.testing.capture_logs() as logs:
        pages = list(company.adapter().changed_people(EPOCH))
    assert sum(len(p.items) for p in pages) > 0
    assert company.sandbox.api_token not in repr(logs)
    assert all("api_token" not in str(event.get("path", "")) for event in logs)


def test_owners_are_the_users_with_their_active_flag(company):
    owners = list(company.adapter().owners())
    assert [o.email for o in owners] == [u["email"].lower() for u in company.sandbox.users]
    assert {o.crm_ids["pipedrive"] for o in owners} == {str(u["id"]) for u in company.sandbox.users}
    assert {o.active for o in owners} == {u["active_flag"] for u in company.sandbox.users}


def test_activities_are_sales_actions_typed_by_the_mapping(company):
    seeded = company.sandbox.activities.values()
    activities = [a for page in company.adapter().changed_activities(EPOCH) for a in page.items]
    kinds = {a.ref.record_id: a.kind for a in activities}
    expected = {
        str(a["id"]): ActivityKind.CALL
        if a["type"] == "call"
        else ActivityKind.MEETING_HELD
        if a["done"]
        else ActivityKind.MEETING_BOOKED
        for a in seeded
    }
    assert kinds == expected
    persons = {str(a["id"]): str(a["person_id"]) for a in seeded}
    assert all(a.person.record_id == persons[a.ref.record_id] for a in activities)


def _ref(person_id):
    return RecordRef("pipedrive", "person", str(person_id))
