"""Every activity stream read incrementally through one cursor, contacts resolved in batches."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.clock import ManualClock
from leadsync.kit import HeldRows, Keeper
from leadsync.model import ActivityKind, Cursor
from tests.hubspot.conftest import MAPPING, adapter_for
from tests.sandbox.hubspot_helpers import NOW

EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))
MARKETING_EVENTS = tuple(str(55_000_001 + i) for i in range(6))  # the sandbox's, as it lists them
STREAMS = (
    "meetings",
    "calls",
    "page_views",
    "form_submissions",
    "email_events",
    "marketing_event_participations",
)
ASSOCIATIONS, BY_EMAIL = "associations v4 batch/read", "contacts batch/read"
ENGAGEMENTS = ("meetings", "calls")
PARTICIPATIONS = MAPPING.activities["marketing_event_participations"]


@pytest.fixture(scope="module")
def sandbox():
    with HubSpotSandbox(people=1000, seed=5, clock=ManualClock(NOW), rate_limits=False) as served:
        yield served


def read(sandbox, since=EPOCH, *, now=NOW, **options):
    adapter = adapter_for(sandbox, clock=ManualClock(now), **options)
    return list(adapter.changed_activities(since))


def items(pages):
    return [a for page in pages for a in page.items]


def counted(sandbox, reading):
    """What `reading` returned and the calls it cost, by endpoint."""
    before = sandbox.calls.snapshot()
    result = reading()
    after = sandbox.calls.snapshot()
    return result, {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}


def breakdown_calls(sandbox, event_ids):
    """Participation breakdown calls for these events at 100 a page (an empty event costs one)."""
    totals = [
        sandbox.store.participations_page({"limit": "1"}, marketing_event_id=e)["total"] for e in event_ids
    ]
    return sum(max(1, -(-total // 100)) for total in totals)


@pytest.fixture(scope="module")
def everything(sandbox):
    return counted(sandbox, lambda: read(sandbox))  # no marketing_event_ids: the portal's are listed


def test_every_kind_is_read_and_mapped_by_the_mapping_rules(everything):
    pages, _ = everything
    found = items(pages)
    kinds = Counter(a.kind for a in found)
    assert set(kinds) == set(ActivityKind) - {ActivityKind.EVENT_REGISTRATION, ActivityKind.SOCIAL_ENGAGEMENT}
    for activity in found:
        if activity.kind is ActivityKind.PRICING_PAGE_VIEW:
            assert "/pricing" in activity.detail
        elif activity.kind is ActivityKind.PRODUCT_PAGE_VIEW:
            assert "/product" in activity.detail
            assert "/pricing" not in activity.detail
        elif activity.kind is ActivityKind.PAGE_VIEW:
            assert activity.detail.startswith("https://")
            assert "/pricing" not in activity.detail
    forms = {a.kind: a.detail for a in found if a.ref.object_type == "form_submissions"}
    assert forms[ActivityKind.DEMO_REQUEST] == "Request a demo"
    assert forms[ActivityKind.QUOTE_REQUEST] == "Demande de devis"
    assert forms[ActivityKind.WHITEPAPER_DOWNLOAD].startswith("White paper")
    assert forms[ActivityKind.NEWSLETTER_SIGNUP] == "Newsletter"
    assert forms[ActivityKind.FORM_SUBMIT] == "Contact us"
    assert forms[ActivityKind.CONTACT_REQUEST] == "Contact sales"
    assert forms[ActivityKind.DOCUMENTATION_REQUEST] == "Request technical documentation"
    assert forms[ActivityKind.PRICE_LIST_DOWNLOAD] == "Download the price list"
    assert forms[ActivityKind.CASE_STUDY_DOWNLOAD] == "Download a case study"
    webinars = {a.kind for a in found if a.ref.object_type == "marketing_event_participations"}
    assert webinars == {ActivityKind.WEBINAR_REGISTERED, ActivityKind.WEBINAR_ATTENDED}
    assert all(a.person.object_type == "contacts" and a.person.record_id.isdigit() for a in found)
    assert all(a.occurred_at.tzinfo is not None for a in found)


def test_e_mail_recipients_resolve_to_their_contacts(sandbox, everything):
    pages, _ = everything
    emails = [a for a in items(pages) if a.ref.object_type == "email_events"]
    assert len(emails) > 200  # the long-tailed seed: ~1,000 contacts, most of them silent
    for activity in emails[:200]:
        contact = sandbox.store.contact(activity.person.record_id)
        assert contact is not None
        assert contact.get("email")


def test_one_ordered_stream_whose_cursors_only_grow(everything):
    pages, _ = everything
    cursors = [page.cursor for page in pages]
    assert cursors == sorted(cursors)
    assert len(set(cursors)) == len(cursors)
    assert {c.record_id.split(":")[0].split("-", 1)[1] for c in cursors} >= {"page_views", "email_events"}
    refs = [a.ref for a in items(pages)]
    assert len(refs) == len(set(refs))


def test_contacts_are_resolved_in_batches_never_one_call_per_record(sandbox, everything):
    pages, calls = everything
    found = items(pages)
    searches = calls["POST meetings search"] + calls["POST calls search"]
    assert calls[f"POST {ASSOCIATIONS}"] == searches  # a search page each here, and an association read
    recipients = {a.person.record_id for a in found if a.ref.object_type == "email_events"}
    assert calls[f"POST {BY_EMAIL}"] == -(-len(recipients) // 100)  # distinct recipients, 100 a call
    views = sum(1 for a in found if a.ref.object_type == "page_views")
    forms = sum(1 for a in found if a.ref.object_type == "form_submissions")
    assert calls["GET events"] <= (views + 3 * forms) / 100 + 4  # 100 a page; a form shows as 3 types
    emails = sum(1 for a in found if a.ref.object_type == "email_events")
    assert calls["GET email events"] == -(-emails // 1000)  # 1,000 a call
    assert calls["GET marketing-events list"] == 1  # six events, 100 a call
    assert calls["GET marketing-events participations"] == breakdown_calls(sandbox, MARKETING_EVENTS)
    assert sum(calls.values()) < 80  # 5,805 activities of 1,000 people (each form read as 3 events)


def test_configured_marketing_event_ids_override_the_listing(sandbox, everything):
    pages, _ = everything
    chosen = MARKETING_EVENTS[1:3]
    mapping = replace(MAPPING, activities={"marketing_event_participations": PARTICIPATIONS})
    only, calls = counted(sandbox, lambda: items(read(sandbox, marketing_event_ids=chosen, mapping=mapping)))
    assert calls == {
        "GET marketing-events participations": breakdown_calls(sandbox, chosen),
    }  # no listing, no other stream
    listed = [a.ref for a in items(pages) if a.ref.object_type == "marketing_event_participations"]
    chosen_refs = {a.ref for a in only}
    assert chosen_refs
    assert chosen_refs < set(listed)
    assert [a.ref for a in only] == [ref for ref in listed if ref in chosen_refs]  # same order


def test_participations_are_read_without_configured_ids(sandbox):
    mapping = replace(MAPPING, activities={"marketing_event_participations": PARTICIPATIONS})
    found, calls = counted(sandbox, lambda: items(read(sandbox, mapping=mapping)))
    assert {a.ref.object_type for a in found} == {"marketing_event_participations"}
    assert calls == {
        "GET marketing-events list": 1,
        "GET marketing-events participations": breakdown_calls(sandbox, MARKETING_EVENTS),
    }


def test_two_reads_in_a_row_the_second_returns_only_new_ones(sandbox):
    later = NOW + timedelta(days=1)
    first = read(sandbox, now=later)
    assert read(sandbox, first[-1].cursor, now=later) == []
    contact = sandbox.store.ids()[3]
    sandbox.clock.advance(hours=1)  # booked after the seed, before the second read's cap
    meeting = sandbox.store.add_object(
        "meetings", {"hs_meeting_title": "Intro", "hs_meeting_outcome": "SCHEDULED"}, contact_id=contact
    )
    second = items(read(sandbox, first[-1].cursor, now=later))
    assert [(a.ref.record_id, a.person.record_id, a.kind) for a in second] == [
        (meeting, contact, ActivityKind.MEETING_BOOKED)
    ]


def test_a_cycle_cap_splits_the_reads_without_loss_or_repeat(sandbox, everything):
    pages, _ = everything
    early = read(sandbox, now=NOW - timedelta(days=60))
    assert early
    assert early[-1].cursor.stamp <= NOW - timedelta(days=60)
    rest = read(sandbox, early[-1].cursor)
    assert [a.ref for a in items(early) + items(rest)] == [a.ref for a in items(pages)]


def test_resume_from_a_cursor_inside_each_stream(sandbox, everything):
    pages, _ = everything
    firsts = {}
    for index, page in enumerate(pages[:-1]):
        stream = page.cursor.record_id.split(":")[0].split("-", 1)[1]
        firsts.setdefault(stream, index)
    assert len(firsts) >= 3
    for index in sorted(firsts.values())[-3:]:  # the last three: shorter reads, same paths
        rest = items(read(sandbox, pages[index].cursor))
        assert [a.ref for a in rest] == [a.ref for a in items(pages[index + 1 :])]


def test_a_bare_stamp_cursor_reads_that_stamp_again_in_every_stream(sandbox, everything):
    pages, _ = everything
    found = [a.ref for a in items(pages)]
    middle = len(pages) // 2
    rest = [a.ref for a in items(read(sandbox, Cursor(pages[middle].cursor.stamp)))]
    assert rest == found[len(found) - len(rest) :]  # a suffix of the full read, in order
    assert len(rest) > len(items(pages[middle + 1 :]))  # the cursor's own record comes again


def test_a_far_future_cursor_reads_nothing(sandbox):
    assert read(sandbox, Cursor(datetime(2999, 1, 1, tzinfo=UTC))) == []


def test_a_cursor_of_the_meetings_and_calls_reader_still_resumes(sandbox, everything):
    pages, _ = everything
    engagements = [a for a in items(pages) if a.ref.object_type in ("meetings", "calls")]
    half = engagements[len(engagements) // 2]
    stamp = next(p.cursor.stamp for p in pages if half in p.items)
    rest = items(read(sandbox, Cursor(stamp, half.ref.record_id)))
    assert half.ref not in {a.ref for a in rest}
    assert len({a.ref for a in rest}) == len(rest)


def test_an_unknown_stream_in_a_cursor_is_refused(sandbox):
    with pytest.raises(ValueError, match="names no known stream"):
        read(sandbox, Cursor(NOW, "9-tweets:1"))


def test_the_first_page_comes_after_one_call_per_paged_stream(sandbox, everything):
    """Engagements and web events stream page by page; only e-mail events (newest first) and
    participations (no time order) must be read whole before their oldest record is known."""
    _, full = everything
    pages = adapter_for(sandbox, clock=ManualClock(NOW), page_size=50).changed_activities(EPOCH)
    first, calls = counted(sandbox, lambda: next(pages))
    assert len(first.items) == 50
    paged = ("POST meetings search", "POST calls search", f"POST {ASSOCIATIONS}")
    assert {k: calls[k] for k in paged} == dict(zip(paged, (1, 1, 2), strict=True))
    # a page each (page views, and the three event types a form submission shows as), and at
    # most the next one each, asked ahead while the first is used
    assert 4 <= calls["GET events"] <= 8
    whole = ("GET email events", "GET marketing-events list", "GET marketing-events participations")
    assert {k: calls[k] for k in whole} == {k: full[k] for k in whole}
    rest, more = counted(sandbox, lambda: list(pages))
    assert calls["GET events"] + more["GET events"] == full["GET events"]  # no page asked twice
    assert not set(more) & {*whole, f"POST {BY_EMAIL}"}  # the whole streams cost no call again
    assert len(first.items) + len(items(rest)) == len(items(everything[0]))


def test_held_records_keep_only_the_fields_their_mapping_reads():
    """E-mail events and participations are held for a whole read: their other fields are dropped."""
    raw = {
        "id": "880000001",
        "createdAt": "2026-01-02T03:04:05.000Z",
        "associations": {
            "marketingEvent": {"marketingEventId": "55000001", "name": "Webinar"},
            "contact": {"contactId": "51", "email": "ann@example.com", "firstname": "Ann"},
        },
        "properties": {"attendanceState": "ATTENDED", "occurredAt": 1, "attendancePercentage": "75"},
    }
    keep = Keeper((*PARTICIPATIONS.source_fields(), "id"))
    assert keep.unpacked(keep.packed(raw)) == {
        "id": "880000001",
        "associations": {"marketingEvent": {"name": "Webinar"}, "contact": {"contactId": "51"}},
        "properties": {"attendanceState": "ATTENDED", "occurredAt": 1},
    }


def test_held_records_share_repeated_text_but_not_ids():
    keep = Keeper(("id", "type", "recipient", "form.name", "url"))
    first = keep.packed({"id": "".join(["7", "1"]), "type": "".join(["OP", "EN"]), "recipient": "a@x.io"})
    second = keep.packed({"id": "".join(["7", "2"]), "type": "".join(["OP", "EN"]), "form": "not an object"})
    assert keep.unpacked(first) == {"id": "71", "type": "OPEN", "recipient": "a@x.io"}
    assert keep.unpacked(second) == {"id": "72", "type": "OPEN", "form": "not an object"}  # whole, as read
    assert keep.unpacked(first)["type"] is keep.unpacked(second)["type"]
    assert keep.shared("".join(["a@x", ".io"])) is keep.unpacked(first)["recipient"]
    assert keep.unpacked(keep.packed({"form": {}})) == {"form": {}}


def test_held_rows_come_back_oldest_first_and_are_let_go_of():
    rows = HeldRows(("type",))
    for stamp_ms, key, person in ((30, "b", "ann"), (10, "z", ""), (30, "a", "bob"), (20, "c", "ann")):
        rows.add(stamp_ms, key, {"type": "OPEN", "other": 1}, person)
    assert rows.people() == ["ann", "bob", "ann"]  # newest first, rows about no one left out
    drained = rows.drained()
    assert next(drained) == (10, "z", {"type": "OPEN"}, "")
    assert [(stamp, key) for stamp, key, *_ in drained] == [(20, "c"), (30, "a"), (30, "b")]
    assert rows.people() == []


def test_engagements_contacts_are_read_a_thousand_at_a_time_across_search_pages(sandbox, everything):
    pages, calls = counted(sandbox, lambda: read(sandbox, page_size=2))
    engagements = Counter(a.ref.object_type for a in items(pages) if a.ref.object_type in ENGAGEMENTS)
    assert min(engagements.values()) > 2  # so more than one search page of 2 each
    assert max(engagements.values()) <= 1000
    assert calls["POST meetings search"] > 1
    assert calls["POST calls search"] > 1
    assert calls[f"POST {ASSOCIATIONS}"] == 2  # one association read per stream: up to 1,000 ids a call
    assert len(items(pages)) == len(items(everything[0]))
