"""Owners, properties, engagements, associations and activity events of the HubSpot sandbox, over HTTP."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.objects.meetings import PublicObjectSearchRequest
from hubspot.marketing.events.exceptions import ApiException, UnauthorizedException

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.hubspot.sandbox.activity_json import MARKETING_EVENTS
from leadsync.clock import ManualClock
from leadsync.testing.seed import population
from tests.sandbox.hubspot_helpers import NOW, body, error_body, since_epoch


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=1500, seed=5, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def people():
    return {p.key: p for p in population(1500, 5, now=NOW).in_hubspot()}


def contact_id(person):
    return str(51 + 3 * person.key)


def with_kinds(people, *kinds):
    """The first seeded person with an activity of each kind."""
    return next(p for p in people.values() if set(kinds) <= {a.kind for a in p.activities})


def test_owners_page_and_the_archived_one(hubspot):
    api = hubspot.client().crm.owners.owners_api
    first = api.get_page(limit=3)
    assert len(first.results) == 3
    assert first.paging.next.after
    rest = api.get_page(limit=100, after=first.paging.next.after)
    active = [*first.results, *rest.results]
    assert len(active) == 8
    assert not rest.paging
    assert not any(o.archived for o in active)
    assert all(o.id.isdigit() and o.user_id and o.email.endswith("@example.com") for o in active)
    gone = api.get_page(archived=True).results
    assert len(gone) == 1
    assert gone[0].archived
    assert api.get_page(email=active[2].email.upper()).results[0].id == active[2].id


def test_properties_describe_options_and_read_only_values(hubspot):
    api = hubspot.client().crm.properties.core_api
    everything = {p.name: p for p in api.get_all(object_type="contacts").results}
    assert {"email", "lifecyclestage", "hs_lead_status", "hubspotscore", "leadsync_bant_need"} <= set(
        everything
    )
    stages = api.get_by_name(object_type="contacts", property_name="lifecyclestage")
    assert [o.value for o in sorted(stages.options, key=lambda o: o.display_order)] == [
        "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
        "evangelist", "other",
    ]  # fmt: skip
    score = everything["hubspotscore"]
    assert score.calculated
    assert score.modification_metadata.read_only_value
    assert not everything["leadsync_score"].hubspot_defined
    assert everything["leadsync_score"].type == "number"
    assert everything["leadsync_bant_need"].field_type == "booleancheckbox"
    assert [o.value for o in everything["numemployees"].options][-1] == "1000+"
    assert "PAID_SOCIAL" in [o.value for o in everything["hs_analytics_source"].options]


def test_meetings_and_calls_are_searchable_by_their_modification_stamp(hubspot, people):
    objects = hubspot.client().crm.objects
    request = PublicObjectSearchRequest(
        filter_groups=[{"filters": [since_epoch("hs_lastmodifieddate")]}],
        sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        properties=["hs_meeting_title", "hs_meeting_outcome", "hs_timestamp"],
        limit=100,
    )
    meetings = objects.meetings.search_api.do_search(public_object_search_request=request)
    kinds = Counter(a.kind for p in people.values() for a in p.activities)
    assert meetings.total == kinds["meeting_booked"] + kinds["meeting_held"]
    outcomes = {m.properties["hs_meeting_outcome"] for m in meetings.results}
    assert outcomes == {"SCHEDULED", "COMPLETED"}
    stamps = [m.properties["hs_lastmodifieddate"] for m in meetings.results]
    assert stamps == sorted(stamps)
    calls = body(
        objects.calls.search_api.do_search(
            public_object_search_request=PublicObjectSearchRequest(
                filter_groups=[{"filters": [since_epoch("hs_lastmodifieddate")]}], limit=1
            ),
            _preload_content=False,
        )
    )
    assert calls["total"] == kinds["call"]
    hubspot.store.add_object(
        "emails", {"hs_email_subject": "Following up"}, contact_id=contact_id(people[min(people)])
    )
    emails = objects.emails.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(properties=["hs_email_subject"], limit=10)
    )
    assert [e.properties["hs_email_subject"] for e in emails.results] == ["Following up"]


def test_v4_batch_associations_and_no_associations_found(hubspot, people):
    met = with_kinds(people, "meeting_held")
    never = next(
        p for p in people.values() if not {"meeting_held", "meeting_booked"} & {a.kind for a in p.activities}
    )
    request = BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": contact_id(met)}, {"id": contact_id(never)}]
    )
    answer = hubspot.client().crm.associations.v4.batch_api.get_page(
        from_object_type="contacts",
        to_object_type="meetings",
        batch_input_public_fetch_associations_batch_request=request,
    )
    assert [r._from.id for r in answer.results] == [contact_id(met)]
    links = answer.results[0].to
    assert len(links) == sum(a.kind in ("meeting_held", "meeting_booked") for a in met.activities)
    assert links[0].association_types[0].type_id == 199
    assert links[0].association_types[0].category == "HUBSPOT_DEFINED"
    assert answer.num_errors == 1
    error = answer.errors[0]
    assert error.category == "OBJECT_NOT_FOUND"
    assert error.sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert error.context == {
        "fromObjectId": [contact_id(never)],
        "fromObjectType": ["contact"],
        "toObjectType": ["meeting"],
    }
    back = hubspot.client().crm.associations.v4.batch_api.get_page(
        from_object_type="meeting",
        to_object_type="0-1",
        batch_input_public_fetch_associations_batch_request=BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[{"id": links[0].to_object_id}]
        ),
    )
    assert back.results[0].to[0].to_object_id == contact_id(met)
    assert back.results[0].to[0].association_types[0].type_id == 200


def test_page_views_and_form_submissions_from_the_events_api(hubspot, people):
    person = with_kinds(people, "pricing_page_view", "demo_request")
    api = hubspot.client().events.events_api
    views = api.get_page(
        object_type="contact", object_id=int(contact_id(person)), event_type="e_visited_page", limit=100
    )
    expected = [a for a in person.activities if a.kind.endswith("page_view")]
    assert len(views.results) == len(expected)
    assert {v.properties["hs_url"] for v in views.results} == {
        "https://www.leadsync-demo.example" + a.detail for a in expected
    }
    occurred = [v.occurred_at for v in views.results]
    assert occurred == sorted(occurred, reverse=True)
    assert views.results[0].event_type == "e_visited_page"
    forms = api.get_page(
        object_type="contact", object_id=int(contact_id(person)), event_type="e_submitted_form"
    )
    assert "Request a demo" in {f.properties["hs_form_title"] for f in forms.results}
    cutoff = sorted(a.occurred_at for a in expected)[len(expected) // 2]
    later = api.get_page(
        object_type="contact", object_id=int(contact_id(person)), occurred_after=cutoff, limit=100
    )
    assert all(e.occurred_at > cutoff for e in later.results)
    first = api.get_page(object_type="contact", event_type="e_visited_page", limit=5)
    assert len(first.results) == 5
    assert first.paging.next.after


def test_marketing_email_events_from_the_legacy_api(hubspot, people):
    person = with_kinds(people, "email_open")
    client = hubspot.client()

    def events(**query):
        answer = client.api_request(
            {"method": "GET", "path": "/email/public/v1/events", "qs": query, "base_url": hubspot.url}
        )
        assert answer.status_code == 200
        return answer.json()

    recipient = person.hubspot_email.strip().lower()
    mine = events(recipient=recipient, limit=1000)
    kinds = Counter(a.kind for a in person.activities)
    assert sum(e["type"] == "OPEN" for e in mine["events"]) == kinds["email_open"]
    everyone = (
        events(limit=1000)["events"] + events(limit=1000, offset=events(limit=1000)["offset"])["events"]
    )
    types = {e["type"] for e in everyone}
    assert {"OPEN", "CLICK"} <= types
    bounces = events(eventType="BOUNCE", limit=1000)["events"]
    unsubscribes = events(eventType="STATUSCHANGE", limit=1000)["events"]
    assert bounces
    assert all(b["category"] == "UNKNOWN_USER" for b in bounces)
    assert unsubscribes
    assert all(u["portalSubscriptionStatus"] == "UNSUBSCRIBED" for u in unsubscribes)
    start = int(NOW.timestamp() * 1000) - 7 * 86_400_000
    recent = events(startTimestamp=start, limit=50)
    assert recent["hasMore"]
    assert all(e["created"] >= start for e in recent["events"])
    created = [e["created"] for e in recent["events"]]
    assert created == sorted(created, reverse=True)


def test_webinar_participations_by_contact(hubspot, people):
    person = with_kinds(people, "webinar_attended")
    api = hubspot.client().marketing.events.retrieve_participant_state_api
    answer = api.get_participations_breakdown_by_contact_id(contact_identifier=contact_id(person), limit=100)
    assert answer.total == len(answer.results) >= 1
    states = {r.properties.attendance_state for r in answer.results}
    assert "ATTENDED" in states
    assert states <= {"REGISTERED", "ATTENDED"}
    assert all(r.associations.contact.contact_id == contact_id(person) for r in answer.results)
    assert answer.results[0].associations.marketing_event.name
    by_email = api.get_participations_breakdown_by_contact_id(
        contact_identifier=person.hubspot_email.strip(), state="ATTENDED"
    )
    assert by_email.total == sum(r.properties.attendance_state == "ATTENDED" for r in answer.results)


def test_marketing_events_list_pages_through_every_event_of_the_portal(hubspot):
    client = hubspot.client().marketing.events
    before = hubspot.calls.snapshot().get("GET marketing-events list", 0)
    first = client.basic_api.get_all(limit=4)
    rest = client.basic_api.get_all(limit=100, after=first.paging.next.after)
    assert first.paging.next.link.endswith(f"/marketing/v3/marketing-events/?after={first.paging.next.after}")
    assert rest.paging is None
    events = [*first.results, *rest.results]
    assert [e.object_id for e in events] == sorted((e.object_id for e in events), key=int)
    assert [(e.external_event_id, e.event_name, e.event_type) for e in events] == list(MARKETING_EVENTS)
    assert len(client.basic_api.get_all().results) == 6  # default limit 10
    assert hubspot.calls.snapshot()["GET marketing-events list"] - before == 3
    breakdown = client.retrieve_participant_state_api.get_participations_breakdown_by_marketing_event_id
    for event in events:
        participations = breakdown(marketing_event_id=int(event.object_id), limit=100)
        assert event.registrants == participations.total
        attended = breakdown(marketing_event_id=int(event.object_id), state="ATTENDED").total
        assert event.attendees == attended
        assert event.start_date_time <= event.end_date_time
        assert event.created_at < event.start_date_time
        assert {r.associations.marketing_event.marketing_event_id for r in participations.results} <= {
            event.object_id
        }
    assert sum(e.registrants for e in events) > 0
    with pytest.raises(ApiException) as raised:
        client.basic_api.get_all(limit=101)
    assert raised.value.status == 400
    assert error_body(raised.value)["category"] == "VALIDATION_ERROR"
    with pytest.raises(UnauthorizedException):
        HubSpot(access_token="pat-na1-wrong", host=hubspot.url).marketing.events.basic_api.get_all()


def every_page(answer_for: Callable[[str | None], dict[str, Any]], key: str = "results") -> list[Any]:
    """Every item of a listing paged by opaque `after` cursors, in order."""
    found: list[Any] = []
    after: str | None = None
    while True:
        page = answer_for(after)
        found.extend(page[key])
        after = page.get("paging", {}).get("next", {}).get("after")
        if not after:
            return found


def test_activity_pages_are_windows_of_one_ordered_list(hubspot: HubSpotSandbox) -> None:
    """Paging reads slices of one list: either direction, any filter, nothing lost or repeated."""
    store = hubspot.store

    def web(**args: str) -> list[str]:
        query = {"objectType": "contact", "eventType": "e_submitted_form", "limit": "7", **args}
        pages = every_page(  # the server reads `after` URL-decoded once, as HTTP delivers it
            lambda after: store.events_page({**query, "after": unquote(after or "")}, base_url=hubspot.url)
        )
        return [e["id"] for e in pages]

    newest_first = web(occurredAfter="2026-10-01T00:00:00.000Z")
    assert newest_first == web(occurredAfter="2026-10-01T00:00:00.000Z", sort="ASCENDING")[::-1]
    assert len(newest_first) > 7

    def email(**args: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        query = {"limit": "1000", **args}
        while True:
            page = store.email_events_page(query)
            found.extend(page["events"])
            if not page["hasMore"]:
                return found
            query["offset"] = page["offset"]

    everything = email()
    assert email(eventType="click") == [e for e in everything if e["type"] == "CLICK"]
    recipient = everything[3]["recipient"]
    assert email(recipient=recipient.upper()) == [e for e in everything if e["recipient"] == recipient]
    webinar = str(55_000_001 + next(i for i, e in enumerate(MARKETING_EVENTS) if e[2] == "WEBINAR"))

    def participations(**args: str) -> list[dict[str, Any]]:
        query = {"limit": "100", **args}
        return every_page(
            lambda after: store.participations_page(
                {**query, "after": after or ""}, marketing_event_id=webinar
            )
        )

    every = participations()
    assert participations(state="attended") == [
        p for p in every if p["properties"]["attendanceState"] == "ATTENDED"
    ]
