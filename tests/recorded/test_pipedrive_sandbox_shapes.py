"""The Pipedrive sandbox answers in the shapes of Pipedrive's own examples and models: same keys, same types.

Bodies are the v2 OpenAPI spec's examples and one recorded error (tests/fixtures/recorded/README.md,
"Pipedrive", gives each source). Fields, users, activity types and recents have no recorded body:
they are held to the property names of pipedrive/client-nodejs's models. Each allowed difference
is named with its reason, and none may hide a key the adapter reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from adapters.pipedrive.sandbox import SCORE, TEMPERATURE, PipedriveSandbox
from leadsync.clock import ManualClock
from leadsync.model import RecordRef
from leadsync.testing.sandbox_server import Fault
from tests.recorded.shapes import leaf, read_by_adapter, recorded, shape_diff

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
# Objects whose keys are data: custom field values keyed by their field's hash.
CUSTOM = ("$.data[].custom_fields", "$.data.custom_fields")
# DELIBERATE: a seeded person has no organization, picture, label or contact-sync values
# (notes, im, birthday, postal address): null or empty where the spec's example has one.
UNSET = ("org_id", "picture_id", "label_ids", "notes", "im", "birthday", "postal_address")
PERSON_UNSET = tuple(f"$.data[].{key}" for key in UNSET) + tuple(f"$.data.{key}" for key in UNSET)
# DELIBERATE: a seeded activity (a call or a meeting with a person) has no deal, lead, organization,
# project, location, conference, note, priority or public description; `attendees` comes only
# with `include_fields=attendees`, which the adapter does not ask for.
ACTIVITY_UNSET = tuple(
    f"$.data[].{key}"
    for key in (
        "deal_id",
        "lead_id",
        "org_id",
        "project_id",
        "location",
        "conference_meeting_client",
        "conference_meeting_url",
        "conference_meeting_id",
        "public_description",
        "priority",
        "note",
        "attendees",
    )
)
# DELIBERATE: a seeded deal has no organization, archive, probability, expected close date, label,
# channel or recurring revenue; a won deal no lost time and reason.
DEAL_UNSET = tuple(
    f"$.data[].{key}"
    for key in (
        "org_id", "archive_time", "probability", "expected_close_date", "label_ids", "channel", "channel_id",
        "acv", "arr", "mrr", "won_time", "local_won_date",  # the first deal is lost: it has no won time
    )
)  # fmt: skip
# Property names of client-nodejs models (src/versions/...), commit 97e5382f (2026-04-20).
FIELD_KEYS = {  # v2/models/get-person-fields200-response-data-inner.ts (its optional UI keys left out)
    "field_name",
    "field_code",
    "field_type",
    "is_custom_field",
    "is_optional_response_field",
    "options",
    "subfields",
}
USER_KEYS = {  # v1/models/base-user.ts
    "id",
    "name",
    "default_currency",
    "locale",
    "lang",
    "email",
    "phone",
    "activated",
    "last_login",
    "created",
    "modified",
    "has_created_company",
    "access",
    "active_flag",
    "timezone_name",
    "timezone_offset",
    "role_id",
    "icon_url",
    "is_you",
    "is_deleted",
}
TYPE_KEYS = {  # v1/models/activity-type.ts
    "id",
    "name",
    "icon_key",
    "color",
    "order_nr",
    "key_string",
    "active_flag",
    "is_custom_flag",
    "add_time",
    "update_time",
}

RECENTS_KEYS = {"success", "data", "additional_data"}  # v1/models/get-recents-response.ts
RECENTS_EXTRA_KEYS = {"since_timestamp", "last_timestamp_on_page", "pagination"}  # ...-additional-data.ts
PAGINATION_KEYS = {
    "start",
    "limit",
    "more_items_in_collection",
}  # get-fields-response-all-of-additional-data.ts
ITEM_KEYS = {"item", "id", "data"}  # recents-data-inner-any-of6.ts: a person's `data` is a MergePersonItem
V1_PERSON_KEYS = {  # v1/models/person-all-of.ts and person-name-count-and-email-info-with-ids-all-of.ts
    "id", "company_id", "owner_id", "org_id", "name", "first_name", "last_name", "active_flag", "phone",
    "email", "first_char", "add_time", "update_time", "visible_to", "label_ids", "merge_what_id",
}  # fmt: skip


@pytest.fixture(scope="module")
def pipedrive() -> Iterator[PipedriveSandbox]:
    with PipedriveSandbox(400, clock=ManualClock(NOW)) as sandbox:  # enough meetings and calls to page
        yield sandbox


def _get(sandbox: PipedriveSandbox, path: str, **params: Any) -> requests.Response:
    return requests.get(
        sandbox.url + path, headers={"x-api-token": sandbox.api_token}, params=params, timeout=10
    )


def _same(name: str, actual: object, ignore: tuple[str, ...] = ()) -> None:
    assert shape_diff(recorded(f"pipedrive/{name}"), actual, ignore=ignore, maps=CUSTOM) == []


def test_persons_page_with_next_cursor(pipedrive):
    answer = _get(pipedrive, "/api/v2/persons", limit=2, sort_by="update_time")
    _same("persons_page.json", answer.json(), PERSON_UNSET)
    assert answer.json()["additional_data"]["next_cursor"]


def test_persons_last_page_has_a_null_cursor(pipedrive):
    answer = _get(pipedrive, "/api/v2/persons", limit=500).json()
    assert answer["additional_data"] == {"next_cursor": None}


def test_person_update(pipedrive):
    url = pipedrive.url + "/api/v2/persons/1"
    answer = requests.patch(url, headers={"x-api-token": pipedrive.api_token}, json={}, timeout=10)
    _same("person_update_200.json", answer.json(), PERSON_UNSET)


def test_activities_page(pipedrive):
    page = _get(pipedrive, "/api/v2/activities", limit=2).json()  # a first page: with a next cursor
    done = [a for a in _get(pipedrive, "/api/v2/activities", limit=100).json()["data"] if a["done"]]
    page["data"] = done[:2]  # as recorded: done activities (a planned one has no done time yet)
    assert page["data"]
    _same("activities_page.json", page, ACTIVITY_UNSET)


def test_deals_page(pipedrive):
    pipedrive.set_deal(RecordRef("pipedrive", "person", "3"), "lost", "Price")  # lost_reason is read
    pipedrive.set_deal(RecordRef("pipedrive", "person", "4"), "won")
    _same("deals_page.json", _get(pipedrive, "/api/v2/deals", limit=1).json(), DEAL_UNSET)


def test_a_deleted_person_answers_the_spec_404(pipedrive):
    url = pipedrive.url + "/api/v2/persons/999999"
    answer = requests.patch(url, headers={"x-api-token": pipedrive.api_token}, json={}, timeout=10)
    assert answer.status_code == 404
    _same("error_404.json", answer.json())


def test_429_and_the_cloudflare_page(pipedrive):
    pipedrive.faults.push(Fault("rate_limit"))
    limited = _get(pipedrive, "/v1/users")
    assert limited.status_code == 429
    assert limited.headers["x-ratelimit-remaining"] == "0"
    _same("error_404.json", limited.json())  # the same envelope
    pipedrive.faults.push(Fault("cloudflare"))
    page = _get(pipedrive, "/v1/users")
    assert (page.status_code, page.headers["Content-Type"].split(";")[0]) == (403, "text/html")


def test_fields_users_and_activity_types_have_their_model_keys(pipedrive):
    fields = _get(pipedrive, "/api/v2/personFields").json()
    assert {key for row in fields["data"] for key in row} == FIELD_KEYS
    assert set(fields) == {"success", "data", "additional_data"}
    assert {key for row in _get(pipedrive, "/v1/users").json()["data"] for key in row} == USER_KEYS
    assert {key for row in _get(pipedrive, "/v1/activityTypes").json()["data"] for key in row} == TYPE_KEYS


def test_no_allowed_difference_hides_a_key_the_adapter_reads():
    allowed = {leaf(path) for path in (*PERSON_UNSET, *ACTIVITY_UNSET, *DEAL_UNSET)}
    assert read_by_adapter("pipedrive", allowed) == set()


def test_recents_has_its_model_keys_and_the_survivor_of_a_merge_names_the_merged(pipedrive):
    survivor, merged = (RecordRef("pipedrive", "person", str(n)) for n in (1, 2))
    pipedrive.merge(survivor, merged)
    answer = _get(pipedrive, "/v1/recents", since_timestamp="2000-01-01 00:00:00", items="person", limit=500)
    body = answer.json()
    assert set(body) == RECENTS_KEYS
    assert set(body["additional_data"]) == RECENTS_EXTRA_KEYS
    assert set(body["additional_data"]["pagination"]) == PAGINATION_KEYS
    assert {key for row in body["data"] for key in row} == ITEM_KEYS
    custom = {pipedrive.field_code(SCORE), pipedrive.field_code(TEMPERATURE)}  # v1 puts custom fields on top
    assert {key for row in body["data"] for key in row["data"]} - custom == V1_PERSON_KEYS
    assert [row["data"].get("merge_what_id") for row in body["data"] if row["id"] == 1] == [2]
    assert 2 not in {row["id"] for row in body["data"]}  # deleted: left out (not documented either way)
