"""The HubSpot sandbox fails as the real API does (issue 20): cursors, short pages, 207s, 400s, 403s, 429s."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException
from hubspot.crm.contacts.exceptions import ForbiddenException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.events.exceptions import ApiException as EventsApiException
from hubspot.events.exceptions import ForbiddenException as EventsForbidden
from urllib3 import Retry

from adapters.hubspot.sandbox import HubSpotSandbox, RateLimits, SearchLimits
from adapters.hubspot.sandbox.paging import event_cursor
from leadsync.clock import ManualClock
from leadsync.testing.sandbox_server import Fault
from tests.sandbox.hubspot_helpers import NOW, body, error_body, search, since_epoch

NO_RETRY = Retry(total=0, respect_retry_after_header=False)
FORM_TYPES = ("e_submitted_form", "e_form_submission_v2", "e_form_submission_metadata_v2")


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=400, seed=9, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


def update(sandbox, writes):
    inputs = [{"id": contact_id, "properties": values} for contact_id, values in writes]
    return sandbox.client().crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(inputs=inputs),
        _preload_content=False,
    )


def test_events_cursors_come_url_encoded_and_only_issued_ones_are_taken(hubspot):
    api = hubspot.client().events.events_api
    first = body(
        api.get_page(object_type="contact", event_type="e_visited_page", limit=5, _preload_content=False)
    )
    after, link = first["paging"]["next"]["after"], first["paging"]["next"]["link"]
    assert after.endswith("%3D%3D")
    assert link.endswith(f"&after={after}")  # the link carries it as the server must receive it
    assert "eventType=e_visited_page&" in link
    with pytest.raises(EventsApiException) as raised:  # as returned: the client encodes it again
        api.get_page(object_type="contact", event_type="e_visited_page", limit=5, after=after)
    assert raised.value.status == 400
    assert error_body(raised.value)["category"] == "VALIDATION_ERROR"
    for never_issued in ("c2FuZGJveDox", event_cursor(3)):  # another format; the format, never given
        with pytest.raises(EventsApiException):
            api.get_page(object_type="contact", event_type="e_visited_page", after=never_issued)
    second = api.get_page(object_type="contact", event_type="e_visited_page", limit=5, after=unquote(after))
    assert len(second.results) == 5
    assert {e.id for e in second.results}.isdisjoint(e["id"] for e in first["results"])


def test_search_can_answer_short_pages_that_go_on():
    with HubSpotSandbox(
        people=60,
        seed=3,
        clock=ManualClock(NOW),
        rate_limits=False,
        search_limits=SearchLimits(short_pages=4),
    ) as sandbox:
        api = sandbox.client().crm.contacts.search_api
        page = api.do_search(public_object_search_request=search([since_epoch()], limit=10))
        assert len(page.results) == 4
        assert page.paging.next.after == "4"
        rest = api.do_search(public_object_search_request=search([since_epoch()], limit=10, after="4"))
        assert {r.id for r in rest.results}.isdisjoint(r.id for r in page.results)


def test_a_207_may_name_its_ids_or_not(hubspot):
    ids = hubspot.store.ids()[:2]
    hubspot.store.fail_unnamed(ids[1])
    try:
        answer = update(
            hubspot, [(ids[0], {"leadsync_score": "3"}), (ids[1], {"leadsync_score": "3"}), ("999999", {})]
        )
    finally:
        hubspot.store.accept_writes()
    assert answer.status == 207
    found = body(answer)
    assert [r["id"] for r in found["results"]] == [ids[0]]
    assert [e["context"] for e in found["errors"]] == [{"ids": ["999999"]}, {}]
    assert found["numErrors"] == 2
    assert hubspot.store.contact(ids[1]).get("leadsync_score") != "3"


def test_a_removed_option_fails_the_batch_with_a_400_naming_property_and_value(hubspot):
    ids = hubspot.store.ids()[5:7]
    hubspot.store.remove_option("leadsync_temperature", "hot")
    try:
        with pytest.raises(ContactsApiException) as raised:
            update(
                hubspot,
                [(ids[0], {"leadsync_temperature": "hot"}), (ids[1], {"leadsync_temperature": "warm"})],
            )
    finally:
        hubspot.store.accept_writes()
    found = error_body(raised.value)
    assert raised.value.status == 400
    assert found["category"] == "VALIDATION_ERROR"
    assert found["errors"][0]["context"] == {"propertyName": ["leadsync_temperature"]}
    assert found["errors"][0]["message"].startswith("hot was not one of the allowed options")
    assert hubspot.store.contact(ids[1]).get("leadsync_temperature") != "warm"


def test_a_portal_below_enterprise_gets_403_from_the_events_api_only():
    with HubSpotSandbox(
        people=40, seed=2, clock=ManualClock(NOW), rate_limits=False, tier="professional"
    ) as sandbox:
        client = sandbox.client()
        with pytest.raises(EventsForbidden) as raised:
            client.events.events_api.get_page(object_type="contact", limit=1)
        found = error_body(raised.value)
        assert raised.value.status == 403
        assert found["category"] == "MISSING_SCOPES"
        assert "business-intelligence" in found["message"]
        assert client.crm.contacts.search_api.do_search(
            public_object_search_request=search([since_epoch()])
        ).total
    with pytest.raises(ValueError, match="tier"):
        HubSpotSandbox(people=1, clock=ManualClock(NOW), tier="gold")


def test_missing_scopes_in_hubspot_dialect(hubspot):
    hubspot.faults.push(
        Fault(
            "missing_scopes",
            path="/crm/v3/objects/contacts",
            headers={"requiredScopes": "crm.objects.contacts.read"},
        )
    )
    with pytest.raises(ForbiddenException) as raised:
        hubspot.client().crm.contacts.basic_api.get_by_id(hubspot.store.ids()[0])
    found = error_body(raised.value)
    assert found["category"] == "MISSING_SCOPES"
    assert found["errors"] == [
        {
            "message": "One or more of the following scopes are required.",
            "context": {"requiredScopes": ["crm.objects.contacts.read"]},
        }
    ]
    assert found["links"] == {"scopes": "https://developers.hubspot.com/scopes"}


def test_one_form_submission_shows_as_several_event_types(hubspot):
    api = hubspot.client().events.events_api
    by_type = {
        kind: api.get_page(object_type="contact", event_type=kind, sort=["ASCENDING"], limit=100).results
        for kind in FORM_TYPES
    }
    assert all(by_type.values())
    first = by_type["e_submitted_form"][0]
    same = [
        e
        for events in by_type.values()
        for e in events
        if (e.object_id, e.occurred_at) == (first.object_id, first.occurred_at)
    ]
    assert sorted(e.event_type for e in same) == sorted(FORM_TYPES)
    assert len({e.id for e in same}) == 3
    newsletter = [
        e for e in by_type["e_form_submission_v2"] if e.properties.get("hs_form_title") == "Newsletter"
    ]
    assert newsletter  # the newsletter form emits the v2 types only
    assert all(e.properties.get("hs_form_title") != "Newsletter" for e in by_type["e_submitted_form"])


def test_every_429_carries_the_rate_limit_headers():
    clock = ManualClock(NOW)
    with HubSpotSandbox(people=20, seed=2, clock=clock, rate_limits=RateLimits(per_ten_seconds=1)) as sandbox:
        owners = sandbox.client(retry=NO_RETRY).crm.owners.owners_api
        owners.get_page()
        with pytest.raises(OwnersApiException) as refused:
            owners.get_page()
        clock.advance(10)
        sandbox.faults.push(Fault("rate_limit", path="/crm/v3/owners"))
        with pytest.raises(OwnersApiException) as injected:
            owners.get_page()
        sandbox.faults.push(Fault("rate_limit", path="/crm/v3/owners", headers={"policyName": "DAILY"}))
        with pytest.raises(OwnersApiException) as daily:
            owners.get_page()
    for raised in (refused, injected):
        assert raised.value.status == 429
        assert raised.value.headers["X-HubSpot-RateLimit-Max"] == "1"
        assert raised.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        assert raised.value.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert daily.value.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    assert error_body(daily.value)["policyName"] == "DAILY"
