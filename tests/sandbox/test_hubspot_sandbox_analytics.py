"""The HubSpot sandbox's contact analytics properties and `propertiesWithHistory`, through the real client."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId
from hubspot.crm.contacts.exceptions import ApiException

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.clock import ManualClock
from tests.sandbox.hubspot_helpers import NOW, body, error_body

ANALYTICS = {
    "hs_analytics_num_page_views": "number",
    "hs_analytics_num_visits": "number",
    "hs_analytics_last_visit_timestamp": "datetime",
    "hs_analytics_last_timestamp": "datetime",
    "hs_analytics_last_url": "string",
    "num_conversion_events": "number",
    "num_unique_conversion_events": "number",
    "first_conversion_event_name": "string",
    "first_conversion_date": "datetime",
    "recent_conversion_event_name": "string",
    "recent_conversion_date": "datetime",
    "hs_email_last_open_date": "datetime",
    "hs_email_last_click_date": "datetime",
}
FORM_TYPE = "e_submitted_form"  # the one event type every seeded form but the newsletter emits


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=400, seed=11, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


def events_by_contact(sandbox, event_type):
    """Every event of one type, by contact id, oldest first."""
    found = defaultdict(list)
    args = {"objectType": "contact", "eventType": event_type, "limit": "100", "sort": "ASCENDING"}
    while True:
        page = sandbox.store.events_page(args, base_url=sandbox.url)
        for event in page["results"]:
            found[event["objectId"]].append(event)
        after = page.get("paging", {}).get("next", {}).get("after")
        if not after:
            return found
        args = {**args, "after": after.replace("%3D", "=")}


def read_with_history(sandbox, ids, names):
    request = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": i} for i in ids], properties=["email"], properties_with_history=names
    )
    return body(
        sandbox.client().crm.contacts.batch_api.read(
            batch_read_input_simple_public_object_id=request, _preload_content=False
        )
    )


def test_the_properties_api_lists_the_analytics_properties_with_their_types(hubspot):
    listed = {p.name: p for p in hubspot.client().crm.properties.core_api.get_all("contacts").results}
    assert {name: listed[name].type for name in ANALYTICS} == ANALYTICS
    assert listed["hs_analytics_last_url"].label == "Last Page Seen"
    assert listed["recent_conversion_event_name"].label == "Recent Conversion"


def test_counters_and_last_values_agree_with_the_events_served(hubspot):
    views = events_by_contact(hubspot, "e_visited_page")
    assert len(views) > 20
    for contact_id, events in views.items():
        values = hubspot.store.contact(contact_id)
        assert values["hs_analytics_num_page_views"] == str(len(events))
        assert values["hs_analytics_last_url"] == events[-1]["properties"]["hs_url"]
        assert values["hs_analytics_last_timestamp"] >= events[-1]["occurredAt"]
        assert 1 <= int(values["hs_analytics_num_visits"]) <= len(events)
    forms = events_by_contact(hubspot, FORM_TYPE)
    assert forms
    for contact_id, events in forms.items():
        values = hubspot.store.contact(contact_id)
        assert int(values["num_conversion_events"]) >= len(events)
        assert values["first_conversion_date"] <= events[0]["occurredAt"]
        assert values["recent_conversion_date"] >= events[-1]["occurredAt"]
    no_views = [i for i in hubspot.store.ids() if i not in views]
    assert "hs_analytics_num_page_views" not in hubspot.store.contact(no_views[0])


def test_batch_read_returns_each_page_view_and_form_in_the_history_newest_first(hubspot):
    views = events_by_contact(hubspot, "e_visited_page")
    ids = sorted(views, key=lambda i: -len(views[i]))[:5]
    answer = read_with_history(hubspot, ids, ["hs_analytics_last_url", "recent_conversion_event_name"])
    assert answer["status"] == "COMPLETE"
    for result in answer["results"]:
        history = result["propertiesWithHistory"]["hs_analytics_last_url"]
        events = views[result["id"]]
        assert [h["value"] for h in history] == [e["properties"]["hs_url"] for e in reversed(events)]
        assert [h["timestamp"] for h in history] == [e["occurredAt"] for e in reversed(events)]
        assert set(history[0]) >= {"value", "timestamp", "sourceType"}
        assert result["properties"]["email"]  # plain properties come back as before
        forms = result["propertiesWithHistory"]["recent_conversion_event_name"]
        assert [f["timestamp"] for f in forms] == sorted((f["timestamp"] for f in forms), reverse=True)


def test_a_batch_read_with_history_takes_at_most_50_inputs(hubspot):
    ids = hubspot.store.ids()[:51]
    assert len(read_with_history(hubspot, ids[:50], ["hs_analytics_last_url"])["results"]) == 50
    with pytest.raises(ApiException) as raised:
        read_with_history(hubspot, ids, ["hs_analytics_last_url"])
    assert raised.value.status == 400
    assert "batch request for property histories is 50" in error_body(raised.value)["message"]
    assert len(read_with_history(hubspot, ids, [])["results"]) == 51  # without history: up to 100
