"""Contacts read incrementally through the adapter: cursor, ties, caps, merges, owners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.clock import ManualClock
from leadsync.model import Cursor
from tests.hubspot.conftest import adapter_for
from tests.sandbox.hubspot_helpers import NOW

EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))


def read_all(adapter, since=EPOCH):
    pages = list(adapter.changed_people(since))
    return pages, [p.ref.record_id for page in pages for p in page.items] + [
        r.ref.record_id for page in pages for r in page.rejected
    ]


def test_every_contact_once_in_stamp_then_id_order(hubspot):
    adapter = adapter_for(hubspot)
    pages, ids = read_all(adapter)
    assert sorted(ids, key=int) == sorted(hubspot.store.ids(), key=int)
    assert len(ids) == len(set(ids))
    cursors = [page.cursor for page in pages]
    assert cursors == sorted(cursors, key=lambda c: (c.stamp, int(c.record_id)))
    assert adapter.usage().calls <= len(ids) // 200 + 20


def test_resume_from_every_page_cursor_reads_the_rest_exactly(hubspot):
    adapter = adapter_for(hubspot)
    pages, ids = read_all(adapter)
    middle = pages[len(pages) // 2].cursor
    _, rest = read_all(adapter_for(hubspot), middle)
    done = len([i for page in pages[: len(pages) // 2 + 1] for i in (*page.items, *page.rejected)])
    assert rest == ids[done:]


def test_far_future_cursor_reads_nothing_and_calls_nothing(hubspot):
    adapter = adapter_for(hubspot)
    assert read_all(adapter, Cursor(datetime(2999, 1, 1, tzinfo=UTC)))[1] == []
    assert adapter.usage().calls == 0


def test_boundary_stamps_strictly_after_and_capped_at_cycle_start(hubspot):
    ids = hubspot.store.ids()[:3]
    edited_at = hubspot.clock.advance(minutes=5)  # the edit comes after the seed's stamps
    hubspot.store.update_as_user(ids[0], leadsync_reasons="edited")
    stamp = datetime.fromisoformat(hubspot.store.contact(ids[0])["lastmodifieddate"].replace("Z", "+00:00"))
    assert stamp == edited_at
    clock = ManualClock(stamp + timedelta(minutes=1))  # the cycle starts after the edit
    just_before = Cursor(stamp - timedelta(milliseconds=1))
    _, got = read_all(adapter_for(hubspot, clock=clock), just_before)
    assert ids[0] in got
    _, at = read_all(adapter_for(hubspot, clock=clock), Cursor(stamp, str(int(max(got, key=int)))))
    assert at == []
    _, capped = read_all(
        adapter_for(hubspot, clock=ManualClock(stamp - timedelta(milliseconds=1))), just_before
    )
    assert capped == []


def test_people_carry_mapped_fields_and_owner_email(hubspot):
    adapter = adapter_for(hubspot)
    owners = {o.crm_ids["hubspot"]: o.email for o in adapter.owners()}
    pages, _ = read_all(adapter)
    people = {p.ref.record_id: p for page in pages for p in page.items}
    with_owner = [i for i in people if (hubspot.store.contact(i) or {}).get("hubspot_owner_id")]
    assert with_owner
    for contact_id in with_owner:
        assert people[contact_id].owner_email == owners[hubspot.store.contact(contact_id)["hubspot_owner_id"]]


def test_merged_contacts_keep_the_survivor_only():
    with HubSpotSandbox(people=300, seed=9, rate_limits=False, clock=ManualClock(NOW)) as sandbox:
        survivor, gone = sandbox.store.ids()[:2]
        sandbox.store.merge(survivor, gone)
        pages, ids = read_all(adapter_for(sandbox, clock=ManualClock(NOW + timedelta(hours=1))))
        assert gone not in ids
        assert survivor in ids
        person = next(p for page in pages for p in page.items if p.ref.record_id == survivor)
        assert gone in person.attributes["merged_record_ids"]


@pytest.fixture(scope="module")
def crowded():
    """Over 10,000 contacts changed in one window, over 10,000 of them sharing one stamp."""
    clock = ManualClock(NOW)
    with HubSpotSandbox(people=17_500, seed=3, rate_limits=False, clock=clock) as sandbox:
        ids = sandbox.store.ids()
        for contact_id in ids[:10_500]:
            sandbox.store.update_as_user(
                contact_id, leadsync_reasons="bulk"
            )  # the clock stands still: one stamp
        yield sandbox


def test_more_than_10k_changes_sharing_one_stamp_read_exactly_once(crowded):
    ids = crowded.store.ids()
    assert len(ids) > 11_000
    stamps = [crowded.store.contact(i)["lastmodifieddate"] for i in ids[:10_500]]
    assert len(set(stamps)) == 1
    adapter = adapter_for(crowded, clock=ManualClock(NOW + timedelta(minutes=1)))
    _, got = read_all(adapter)
    assert len(got) == len(set(got)) == len(ids)
    assert set(got) == set(ids)
    minimum = -(-len(ids) // 200)
    assert adapter.usage().calls <= minimum * 1.1 + 3, (adapter.usage().calls, minimum)


def test_deleted_contacts_are_gone_once_in_read_order_and_cost_one_list_call_per_100():
    clock = ManualClock(NOW)
    with HubSpotSandbox(people=300, seed=8, rate_limits=False, clock=clock) as sandbox:
        later = ManualClock(NOW + timedelta(hours=1))
        before = list(adapter_for(sandbox, clock=later).changed_people(EPOCH))[-1].cursor
        deleted = sandbox.store.ids()[:150]
        clock.advance(minutes=1)
        for contact_id in deleted:  # the clock stands still: one archivedAt
            sandbox.store.archive("contacts", contact_id)
        listed = sandbox.calls.count(endpoint="contacts list")
        pages, _ = read_all(adapter_for(sandbox, clock=later, page_size=50), before)
        assert sandbox.calls.count(endpoint="contacts list") - listed == 2  # ceil(150 / 100)
        gone = [g for page in pages for g in page.gone]
        assert [g.ref.record_id for g in gone] == sorted(deleted, key=int)  # (archivedAt, id) order
        assert {g.survivor for g in gone} == {None}
        assert len(pages) == 3  # pages of 50: deletions span pages as any records do
        assert not any(p.items for p in pages)
        middle = pages[0].cursor  # resumed inside the deletions' one stamp
        rest, _ = read_all(adapter_for(sandbox, clock=later, page_size=50), middle)
        assert [g.ref.record_id for page in rest for g in page.gone] == [g.ref.record_id for g in gone[50:]]
        again, _ = read_all(adapter_for(sandbox, clock=later), pages[-1].cursor)
        assert [g for page in again for g in page.gone] == []


def test_a_merged_away_contact_is_not_listed_as_deleted():
    with HubSpotSandbox(people=300, seed=9, rate_limits=False, clock=ManualClock(NOW)) as sandbox:
        survivor, merged = sandbox.store.ids()[:2]
        sandbox.store.merge(survivor, merged)
        pages, _ = read_all(adapter_for(sandbox, clock=ManualClock(NOW + timedelta(hours=1))))
        assert [g for page in pages for g in page.gone] == []
        person = next(p for page in pages for p in page.items if p.ref.record_id == survivor)
        assert merged in person.attributes["merged_record_ids"]


def test_the_values_of_a_page_just_read_cost_no_call_and_equal_a_batch_read(hubspot):
    adapter = adapter_for(hubspot)
    page = next(iter(adapter.changed_people(EPOCH)))
    refs = [p.ref for p in page.items]
    calls = adapter.usage().calls
    served = list(adapter.read_current(refs))
    assert adapter.usage().calls - calls <= 1  # the lifecycle stage's option order, once per adapter
    assert [c.ref for c in served] == refs
    assert served == list(adapter_for(hubspot).read_current(refs))  # as batch reads give them
    again = adapter.usage().calls
    list(adapter.read_current(refs))  # a page's values serve once: later asks read the contacts
    assert adapter.usage().calls - again == -(-len(refs) // 100)
