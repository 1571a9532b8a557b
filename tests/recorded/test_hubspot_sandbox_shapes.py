"""The HubSpot sandbox answers each endpoint in the shape of a recorded real body: same keys, same types.

Differences are listed next to each comparison, in two kinds: DELIBERATE ones documented
in `adapters/hubspot/sandbox/__init__.py` (or the module that serves the endpoint), and
KNOWN BREAKS, where the sandbox is wrong and is to be fixed. Neither may hide a key the
adapter reads (`test_no_allowed_difference_hides_a_key_the_adapter_reads`).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.clock import ManualClock
from leadsync.testing.sandbox_server import Fault
from tests.recorded.shapes import assert_same_shape, leaf, read_by_adapter, recorded
from tests.sandbox.hubspot_helpers import NOW

# -- allowed differences: each named, each with its reason ---------------------------------------
# KNOWN BREAK: real CRM records carry `url` (https://app.hubspot.com/contacts/{portal}/record/0-1/{id})
# in search, batch read and batch update results; the sandbox's `collection.to_json` has neither the
# portal id nor the type id to build it. leadsync does not read it.
RECORD_URL = "$.results[].url"
# KNOWN BREAK: HubSpot's 429 bodies carry `requestId` (recorded); the sandbox's `errors.rate_limited`
# leaves it out. leadsync does not read it. Not fixed here: errors.py is being reworked (403 tiers).
REQUEST_ID = "$.requestId"
# DELIBERATE: the recorded 401 is the legacy API-key dialect, whose body links to the key page; the
# sandbox answers the private-app 401 (message quoted from real accounts, see sandbox/app.py).
LEGACY_KEY_LINKS = "$.links"
# Extra in the sandbox, and real: `archived` is a property of the public spec's Property schema
# (HubSpot-public-api-spec-collection, CRM/Properties/v3); the recorded sample omits it.
PROPERTY_ARCHIVED = "$.results[].archived"
# Extra in the sandbox, and real: `type`, `userIdIncludingInactive` and `teams` are in HubSpot's owners
# guide example (developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide); the Airbyte
# recording predates them.
OWNER_EXTRAS = ("$.results[].type", "$.results[].userIdIncludingInactive", "$.results[].teams")
# Extra in the sandbox, and real: an archived record's `archivedAt` (the public spec's
# `SimplePublicObjectWithAssociations`, CRM/Contacts v3); the recorded list page holds live contacts.
ARCHIVED_AT = "$.results[].archivedAt"
MISSING_KEYS = (RECORD_URL, REQUEST_ID, LEGACY_KEY_LINKS)
# Objects whose keys are property names (data, not schema).
PROPERTIES = "$.results[].properties"


@pytest.fixture(scope="module")
def hubspot() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(people=300, seed=7, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


def answer(sandbox: HubSpotSandbox, method: str, path: str, body: object = None, *, token: str | None = None):
    """(status, JSON body) of one raw call, as the adapter's transport reads them."""
    request = urllib.request.Request(  # noqa: S310 - the loopback sandbox
        sandbox.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token or sandbox.access_token}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 - the loopback sandbox
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def search(sandbox: HubSpotSandbox, **extra: Any):
    body = {
        "limit": 1,
        "properties": ["email", "firstname", "lastname", "phone", "company", "website"],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        **extra,
    }
    return answer(sandbox, "POST", "/crm/v3/objects/contacts/search", body)


def contact_ids(sandbox: HubSpotSandbox, count: int) -> list[str]:
    _, body = search(sandbox, limit=count)
    return [r["id"] for r in body["results"]]


def test_search_page_with_after(hubspot):
    status, body = search(hubspot)
    assert status == 200
    assert_same_shape("hubspot/search_contacts_page.json", body, maps={PROPERTIES}, ignore={RECORD_URL})
    # Search's `after` is an offset in practice: the recorded one is "54".
    assert re.fullmatch(r"\d+", recorded("hubspot/search_contacts_page.json")["paging"]["next"]["after"])
    assert re.fullmatch(r"\d+", body["paging"]["next"]["after"])


def test_search_last_page_has_no_paging(hubspot):
    _, first = search(hubspot)
    status, body = search(hubspot, limit=5, after=str(first["total"] - 1))
    assert status == 200
    assert len(body["results"]) == 1
    assert_same_shape("hubspot/search_contacts_last_page.json", body, maps={PROPERTIES}, ignore={RECORD_URL})


def test_batch_update_200(hubspot):
    ids = contact_ids(hubspot, 2)
    inputs = [{"id": i, "properties": {"firstname": f"Firstname {n}"}} for n, i in enumerate(ids)]
    status, body = answer(hubspot, "POST", "/crm/v3/objects/contacts/batch/update", {"inputs": inputs})
    assert status == 200
    assert_same_shape("hubspot/batch_update_200.json", body, maps={PROPERTIES}, ignore={RECORD_URL})


def test_batch_update_207_names_the_unknown_id(hubspot):
    inputs = [
        {"id": "unknownIdentifier888", "properties": {"firstname": "Firstname"}},
        {"id": contact_ids(hubspot, 1)[0], "properties": {"firstname": "Firstname"}},
    ]
    status, body = answer(hubspot, "POST", "/crm/v3/objects/contacts/batch/update", {"inputs": inputs})
    assert status == 207
    assert_same_shape("hubspot/batch_update_207.json", body, maps={PROPERTIES}, ignore={RECORD_URL})
    assert body["errors"][0]["context"] == recorded("hubspot/batch_update_207.json")["errors"][0]["context"]


def test_batch_update_400_on_unknown_properties(hubspot):
    one = contact_ids(hubspot, 1)[0]
    inputs = [{"id": one, "properties": {"first000name": "Firstname", "last000name": "Lastname"}}]
    status, body = answer(hubspot, "POST", "/crm/v3/objects/contacts/batch/update", {"inputs": inputs})
    assert status == 400
    assert_same_shape("hubspot/batch_update_400_validation.json", body)
    assert {e["code"] for e in body["errors"]} == {"PROPERTY_DOESNT_EXIST"}


def test_batch_update_400_on_duplicate_ids(hubspot):
    one = contact_ids(hubspot, 1)[0]
    inputs = [{"id": one, "properties": {"firstname": "A"}}, {"id": one, "properties": {"firstname": "B"}}]
    status, body = answer(hubspot, "POST", "/crm/v3/objects/contacts/batch/update", {"inputs": inputs})
    assert status == 400
    assert_same_shape("hubspot/batch_update_400_duplicate_ids.json", body)


def test_list_pages_of_live_and_of_archived_contacts():
    clock = ManualClock(NOW)
    with HubSpotSandbox(people=30, seed=7, clock=clock, rate_limits=False) as portal:
        for contact_id in portal.store.ids()[:3]:
            portal.store.archive("contacts", contact_id)
        for archived in ("false", "true"):
            status, body = answer(portal, "GET", f"/crm/v3/objects/contacts?limit=2&archived={archived}")
            assert status == 200
            assert_same_shape(
                "hubspot/list_contacts_page.json", body, maps={PROPERTIES}, ignore={ARCHIVED_AT}
            )
            assert {r["archived"] for r in body["results"]} == {archived == "true"}
            # the recorded `link` repeats the query and ends with the cursor, as `after` gives it
            assert body["paging"]["next"]["link"].endswith(f"after={body['paging']['next']['after']}")


def test_properties(hubspot):
    status, body = answer(hubspot, "GET", "/crm/v3/properties/contacts")
    assert status == 200
    assert_same_shape("hubspot/properties_contacts.json", body, ignore={PROPERTY_ARCHIVED})


def test_owners_page(hubspot):
    status, body = answer(hubspot, "GET", "/crm/v3/owners/?limit=100&archived=false")
    assert status == 200
    assert_same_shape("hubspot/owners_page.json", body, ignore=OWNER_EXTRAS)


def test_events_page_with_encoded_after(hubspot):
    status, body = answer(hubspot, "GET", "/events/v3/events/?objectType=contact&limit=1")
    assert status == 200
    assert_same_shape("hubspot/events_page.json", body, maps={PROPERTIES})
    # The recorded `after` is URL-encoded base64 ("…fA%3D%3D") and `link` carries it as is.
    for page in (recorded("hubspot/events_page.json"), body):
        after, link = page["paging"]["next"]["after"], page["paging"]["next"]["link"]
        assert re.fullmatch(r"[A-Za-z0-9]+(%3D){0,2}", after), after
        assert link.endswith(f"after={after}") or f"after={after}&" in link, link


def test_events_last_page_has_no_paging(hubspot):
    _, page = answer(hubspot, "GET", "/events/v3/events/?objectType=contact&limit=1")
    contact = page["results"][0]["objectId"]
    status, body = answer(
        hubspot, "GET", f"/events/v3/events/?objectType=contact&objectId={contact}&limit=100"
    )
    assert status == 200
    assert_same_shape("hubspot/events_visited_page_last_page.json", body, maps={PROPERTIES})


def test_401(hubspot):
    status, body = answer(
        hubspot, "GET", "/crm/v3/owners/", token="pat-na1-00000000-0000-0000-0000-000000000000"
    )
    assert status == 401
    assert_same_shape("hubspot/error_401_invalid_authentication.json", body, ignore={LEGACY_KEY_LINKS})


# UNSETTLED: HubSpot has sent MISSING_SCOPES 403s in two shapes. The sandbox sends the 2022 one
# (quoted in HubSpot/hubspot-api-nodejs issue #268: `errors[].context.requiredScopes`, top-level
# `links`); the recorded one (amp-labs, newer) has `context.requiredGranularScopes` and
# `context.links` instead. leadsync reads only `category` and `message` of a 403 (transport.py).
SCOPES_DIALECT = ("$.context", "$.errors", "$.links")


def test_403_tier_refusal_of_the_events_api():
    clock = ManualClock(NOW)
    with HubSpotSandbox(people=20, seed=7, clock=clock, rate_limits=False, tier="professional") as portal:
        status, body = answer(portal, "GET", "/events/v3/events/?objectType=contact&limit=1")
    assert status == 403
    assert_same_shape("hubspot/error_403_missing_scopes.json", body, ignore=SCOPES_DIALECT)
    assert body["category"] == "MISSING_SCOPES"


def test_403_missing_scopes(hubspot):
    hubspot.faults.push(Fault(kind="missing_scopes"))
    status, body = answer(hubspot, "GET", "/crm/v3/owners/")
    assert status == 403
    assert_same_shape("hubspot/error_403_missing_scopes.json", body, ignore=SCOPES_DIALECT)


def test_429(hubspot):
    hubspot.faults.push(Fault(kind="rate_limit", headers={"policyName": "DAILY"}))
    status, body = answer(hubspot, "GET", "/crm/v3/owners/")
    assert status == 429
    assert_same_shape("hubspot/error_429_rate_limit.json", body, ignore={REQUEST_ID})


def test_400_unknown_object_type(hubspot):
    status, body = answer(hubspot, "POST", "/crm/v3/objects/butterflies/search", {})
    assert status == 400
    assert_same_shape("hubspot/error_400_unknown_object_type.json", body)


def test_no_allowed_difference_hides_a_key_the_adapter_reads():
    assert read_by_adapter("hubspot", [leaf(path) for path in MISSING_KEYS]) == set()
