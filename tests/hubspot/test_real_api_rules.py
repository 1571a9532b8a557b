"""The real API's rules the adapter follows (issue 20): cursors, pages, 207s, 400s, tiers, forms, 429s."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from structlog.testing import capture_logs

from adapters.hubspot.batch_errors import named_inputs
from adapters.hubspot.sandbox import HubSpotSandbox, RateLimits, SearchLimits
from adapters.hubspot.sandbox.activity_json import FORMS
from leadsync.adapter_api import AuthError, BudgetExhausted, Change
from leadsync.clock import ManualClock
from leadsync.model import Cursor, RecordRef
from leadsync.testing.sandbox_server import Fault
from leadsync.testing.seed import population
from tests.hubspot.conftest import MAPPING, adapter_for
from tests.sandbox.hubspot_helpers import NOW

EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))
WEB = ("page_views", "form_submissions")


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=600, seed=13, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


def only(*streams):
    return replace(MAPPING, activities={s: MAPPING.activities[s] for s in streams})


def activities(sandbox, mapping=MAPPING, **options):
    adapter = adapter_for(sandbox, mapping=mapping, **options)
    return adapter, [a for page in adapter.changed_activities(EPOCH) for a in page.items]


def visited_page_ids(sandbox):
    """Every page view's event id, paged through the sandbox as HTTP would deliver each cursor."""
    found, after = [], ""
    while True:
        args = {"objectType": "contact", "eventType": "e_visited_page", "limit": "100", "after": after}
        page = sandbox.store.events_page(args, base_url=sandbox.url)
        found += [e["id"] for e in page["results"]]
        after = unquote(page.get("paging", {}).get("next", {}).get("after", ""))
        if not after:
            return found


def test_events_cursors_are_sent_as_issued_so_no_page_view_is_lost(hubspot):
    expected = visited_page_ids(hubspot)
    assert len(expected) > 200  # several pages: each next page is asked for with a returned cursor
    before = hubspot.calls.count(endpoint="events")
    _, read = activities(hubspot, only("page_views"))
    assert sorted(a.ref.record_id for a in read) == sorted(expected)
    assert hubspot.calls.count(endpoint="events") - before == -(-len(expected) // 100)


def test_a_short_search_page_with_after_is_not_the_end():
    short = SearchLimits(short_pages=7)
    with HubSpotSandbox(
        people=2000, seed=3, clock=ManualClock(NOW), rate_limits=False, search_limits=short
    ) as sandbox:
        adapter = adapter_for(sandbox, page_size=50)
        people = [p.ref.record_id for page in adapter.changed_people(EPOCH) for p in page.items]
        assert sorted(people, key=int) == sandbox.store.ids()
        _, read = activities(sandbox, only("meetings", "calls"), page_size=50)
        assert {a.ref.object_type for a in read} == {"meetings", "calls"}
        assert len(read) == len(sandbox.store.ids("meetings")) + len(sandbox.store.ids("calls"))


def test_a_207_error_naming_no_ids_leaves_its_record_unwritten_and_failed(hubspot):
    chosen = [RecordRef("hubspot", "contacts", i) for i in hubspot.store.ids()[10:13]]
    hubspot.store.fail_unnamed(chosen[1].record_id)
    try:
        results = list(adapter_for(hubspot).apply([Change(ref, {"score": 61}) for ref in chosen]))
    finally:
        hubspot.store.accept_writes()
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].code == "INTERNAL_ERROR"
    assert "try again" in results[1].message
    assert hubspot.store.contact(chosen[1].record_id).get("leadsync_score") != "61"
    assert hubspot.store.contact(chosen[0].record_id)["leadsync_score"] == "61"


def test_a_bad_value_the_400_names_is_dropped_and_the_rest_sent_once(hubspot):
    chosen = [RecordRef("hubspot", "contacts", i) for i in hubspot.store.ids()[100:200]]
    changes = [Change(ref, {"temperature": "hot" if n == 42 else "warm"}) for n, ref in enumerate(chosen)]
    hubspot.store.remove_option("leadsync_temperature", "hot")
    before = hubspot.calls.count(endpoint="contacts batch/update")
    try:
        results = list(adapter_for(hubspot).apply(changes))
    finally:
        hubspot.store.accept_writes()
    assert hubspot.calls.count(endpoint="contacts batch/update") - before == 2  # the batch, then the 99
    assert [n for n, r in enumerate(results) if not r.ok] == [42]
    assert results[42].code == "INVALID_OPTION"
    assert results[42].message.startswith("hot was not one of the allowed options")
    assert all(
        hubspot.store.contact(r.ref.record_id)["leadsync_temperature"] == "warm" for r in results if r.ok
    )


def test_a_400_that_names_no_input_falls_back_to_halving(hubspot):
    chosen = [RecordRef("hubspot", "contacts", i) for i in hubspot.store.ids()[200:208]]
    hubspot.store.reject_writes(chosen[5].record_id)
    before = hubspot.calls.count(endpoint="contacts batch/update")
    try:
        results = list(adapter_for(hubspot).apply([Change(ref, {"score": 12}) for ref in chosen]))
    finally:
        hubspot.store.accept_writes()
    assert [n for n, r in enumerate(results) if not r.ok] == [5]
    assert hubspot.calls.count(endpoint="contacts batch/update") - before == 7  # 8 → 4+4 → 2+2 → 1+1


def test_a_professional_portal_skips_the_events_api_with_a_warning_and_reads_the_rest():
    with HubSpotSandbox(
        people=300, seed=5, clock=ManualClock(NOW), rate_limits=False, tier="professional"
    ) as sandbox:
        with capture_logs() as logs:
            adapter, read = activities(sandbox)
        kinds = {a.ref.object_type for a in read}
        assert kinds == {
            "meetings",
            "calls",
            "email_events",
            "marketing_event_participations",
            "analytics_page_views",  # page views and forms from contact property history instead
            "analytics_form_submissions",
        }
        skipped = adapter.usage().skipped
        assert len(skipped) == 2
        assert all("403 MISSING_SCOPES" in s and "Enterprise" in s for s in skipped)
        events = [e for e in logs if e["event"] == "stream.skipped"]
        assert {(e["stream"], e["log_level"]) for e in events} == {(s, "warning") for s in WEB}
        problems = {p.path: p for p in adapter.check().problems}
        assert set(problems) == {f"activities.{s}" for s in WEB}
        assert all("Enterprise" in p.hint and "403" in p.message for p in problems.values())
        assert list(adapter.read_current([RecordRef("hubspot", "contacts", sandbox.store.ids()[0])]))


def test_a_refused_scope_skips_only_that_stream(hubspot):
    hubspot.faults.push(
        Fault("missing_scopes", path="/email/public/v1/events", headers={"requiredScopes": "content"})
    )
    adapter, read = activities(hubspot, only("email_events", "meetings"))
    assert {a.ref.object_type for a in read} == {"meetings"}
    assert "email_events skipped" in adapter.usage().skipped[0]


def test_a_form_submission_counts_once_whatever_event_types_it_shows_as(hubspot):
    seeded = [a for p in population(600, 13, now=NOW).in_hubspot() for a in p.activities if a.kind in FORMS]
    _, read = activities(hubspot, only("form_submissions"))
    assert len(read) == len(seeded)
    assert len({a.ref for a in read}) == len(read)
    newsletters = [a for a in read if a.detail == "Newsletter"]  # its form emits the v2 types only
    assert len(newsletters) == sum(1 for a in seeded if a.kind == "newsletter_signup") > 0


def test_none_left_in_the_window_holds_the_next_call_back():
    clock = ManualClock(NOW)
    waits = clock.slept

    limits = RateLimits(per_ten_seconds=3, search_per_second=100, daily=1_000_000)
    with HubSpotSandbox(people=30, seed=2, clock=clock, rate_limits=limits) as sandbox:
        adapter = adapter_for(sandbox, clock=clock, sleep=clock.sleep, per_ten_seconds=100)  # set too high
        contact = RecordRef("hubspot", "contacts", sandbox.store.ids()[0])
        list(adapter.read_current([contact]))  # owners twice, lifecycle options, the read: 4 calls
        list(adapter.read_current([contact]))
        assert sandbox.calls.count() == 5  # no call was refused and sent again
        assert waits


def test_none_left_today_stops_before_calling():
    limits = RateLimits(per_ten_seconds=1000, search_per_second=100, daily=4)
    with HubSpotSandbox(people=30, seed=2, clock=ManualClock(NOW), rate_limits=limits) as sandbox:
        adapter = adapter_for(sandbox)
        contact = RecordRef("hubspot", "contacts", sandbox.store.ids()[0])
        list(adapter.read_current([contact]))  # 4 calls: the allowance is spent
        with pytest.raises(BudgetExhausted, match="Daily-Remaining is 0"):
            list(adapter.read_current([contact]))
        assert sandbox.calls.count() == 4


def test_a_400_that_lists_its_problems_in_the_message_only_still_names_the_input():
    # the shape of a real INVALID_EMAIL refusal (Atlas-Authority/marketing-automation issue #174)
    problem = {
        "isValid": False,
        "message": "Email address ann@x.invalid is invalid",
        "error": "INVALID_EMAIL",
    }
    listed = json.dumps([{**problem, "name": "email"}], separators=(",", ":"))
    body = {
        "status": "error",
        "message": f"Property values were not valid: {listed}",
        "category": "VALIDATION_ERROR",
    }
    inputs = [{"email": "bob@x.io"}, {"email": "ann@x.invalid"}, {"leadsync_score": "3"}]
    assert named_inputs(body, inputs) == {1: ("INVALID_EMAIL", "Email address ann@x.invalid is invalid")}
    assert named_inputs({**body, "message": "Property values were not valid"}, inputs) is None


def test_a_refused_scope_on_contacts_stops_with_what_to_grant(hubspot):
    hubspot.faults.push(Fault("missing_scopes", path="/crm/v3/objects/contacts/search"))
    with pytest.raises(AuthError, match="HTTP 403") as raised:
        list(adapter_for(hubspot).changed_people(EPOCH))
    assert "grant the private app the scopes" in str(raised.value)
