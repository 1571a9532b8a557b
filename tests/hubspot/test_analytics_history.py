"""Page views and forms from contact property history when the events API is refused (below Enterprise)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.clock import ManualClock
from leadsync.model import Cursor
from tests.hubspot.conftest import MAPPING, adapter_for
from tests.sandbox.hubspot_helpers import NOW

EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))
WEB_ONLY = replace(MAPPING, activities={s: MAPPING.activities[s] for s in ("page_views", "form_submissions")})


@pytest.fixture(scope="module")
def professional():
    with HubSpotSandbox(
        people=400, seed=17, clock=ManualClock(NOW), rate_limits=False, tier="professional"
    ) as sandbox:
        yield sandbox


def pages(adapter, since=EPOCH):
    return list(adapter.changed_activities(since))


def read(adapter, since=EPOCH):
    return [a for page in pages(adapter, since) for a in page.items]


def with_views(sandbox):
    contacts = {i: sandbox.store.contact(i) for i in sandbox.store.ids()}
    return {i: v for i, v in contacts.items() if "hs_analytics_num_page_views" in v}


def test_every_page_view_and_form_is_read_with_its_time_and_kind_from_the_url_or_form_name(professional):
    activities = read(adapter_for(professional, mapping=WEB_ONLY))
    views = [a for a in activities if a.ref.object_type == "analytics_page_views"]
    forms = [a for a in activities if a.ref.object_type == "analytics_form_submissions"]
    seen = with_views(professional)
    assert len(views) == sum(int(v["hs_analytics_num_page_views"]) for v in seen.values())
    for view in views:
        assert view.detail.startswith("https://")
        expected = "pricing_page_view" if "/pricing" in view.detail else None
        expected = expected or ("product_page_view" if "/product" in view.detail else "page_view")
        assert view.kind.value == expected
    assert {v.kind.value for v in views} == {"page_view", "product_page_view", "pricing_page_view"}
    demos = [f for f in forms if f.detail == "Request a demo"]
    assert demos
    assert all(f.kind.value == "demo_request" for f in demos)
    assert all(a.occurred_at <= NOW for a in activities)
    last = {a.person.record_id: a for a in sorted(views, key=lambda a: a.occurred_at)}
    for contact_id, view in last.items():
        assert view.detail == seen[contact_id]["hs_analytics_last_url"]


def test_refs_are_the_contact_and_the_time_so_a_re_read_replaces_itself(professional):
    adapter = adapter_for(professional, mapping=WEB_ONLY)
    first, again = read(adapter), read(adapter)
    assert [a.ref for a in first] == [a.ref for a in again]
    assert len({a.ref for a in first}) == len(first)
    for activity in first:
        contact, _, stamp_ms = activity.ref.record_id.partition("-")
        assert int(contact) == int(activity.person.record_id)
        assert int(stamp_ms) == int(activity.occurred_at.timestamp() * 1000)


def test_histories_are_read_50_contacts_a_call_and_only_for_contacts_seen_since_the_cursor(professional):
    adapter = adapter_for(professional, mapping=WEB_ONLY)
    calls = professional.calls
    before = calls.count(endpoint="contacts batch/read")
    everything = pages(adapter)
    contacts = [professional.store.contact(i) for i in professional.store.ids()]
    seen = [c for c in contacts if "hs_analytics_last_timestamp" in c]  # a page view or a form
    converted = [c for c in contacts if "recent_conversion_date" in c]
    reads = calls.count(endpoint="contacts batch/read") - before
    assert reads == math.ceil(len(seen) / 50) + math.ceil(len(converted) / 50)

    whole = [a.ref for page in everything for a in page.items]
    half = len(everything) // 2
    done = sum(len(page.items) for page in everything[: half + 1])
    assert [a.ref for a in read(adapter, everything[half].cursor)] == whole[done:]  # no loss, no repeat

    last = everything[-1].cursor
    since = last.stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    again = [c for c in seen if c["hs_analytics_last_timestamp"] >= since]
    again_forms = [c for c in converted if c["recent_conversion_date"] >= since]
    assert len(again) < len(seen) / 10
    before = calls.count(endpoint="contacts batch/read")
    assert read(adapter, last) == []
    reads = calls.count(endpoint="contacts batch/read") - before
    assert reads == math.ceil(len(again) / 50) + math.ceil(len(again_forms) / 50)  # only those seen since


def test_an_enterprise_portal_reads_the_events_api_and_no_history():
    with HubSpotSandbox(people=200, seed=17, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        activities = read(adapter_for(sandbox, mapping=WEB_ONLY))
        assert {a.ref.object_type for a in activities} == {"page_views", "form_submissions"}
        assert sandbox.calls.count(endpoint="contacts batch/read") == 0
