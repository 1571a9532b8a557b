"""Incremental reads of people and activities against the sandbox, with the real client."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.adapter_api import Page
from leadsync.model import ActivityKind, Cursor, OwnerKind, Person, RecordRef

from .conftest import MakeAdapter

EPOCH = Cursor(datetime(2000, 1, 1, tzinfo=UTC))


def _live(sandbox: SalesforceSandbox, sobject: str) -> list[dict[str, Any]]:
    return [r for r in sandbox.store.records(sobject) if not r.get("IsDeleted")]


def _expected_people(sandbox) -> set[str]:
    leads = {r["Id"] for r in _live(sandbox, "Lead") if not r["IsConverted"]}
    return leads | {r["Id"] for r in _live(sandbox, "Contact")}


def test_initial_read_pages_through_everything_once_in_order(sandbox, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter()
    pages = list(adapter.changed_people(EPOCH))
    ids = [p.ref.record_id for page in pages for p in page.items] + [
        r.ref.record_id for page in pages for r in page.rejected
    ]
    assert sorted(ids) == sorted(_expected_people(sandbox))
    assert len(ids) == len(set(ids))
    assert len(pages) >= 10
    cursors = [page.cursor for page in pages]
    assert cursors == sorted(cursors)
    leads = sum(1 for r in _live(sandbox, "Lead") if not r["IsConverted"])
    contacts = len(_live(sandbox, "Contact"))
    assert adapter.usage().calls == math.ceil(leads / 200) + math.ceil(contacts / 200)
    assert adapter.usage().limit == 100_000


def test_converted_leads_are_read_as_their_contacts_only(sandbox, make_adapter: MakeAdapter) -> None:
    pages = list(make_adapter().changed_people(EPOCH))
    read = {p.ref.record_id: p.ref for page in pages for p in (*page.items, *page.rejected)}  # dirty ones too
    converted = [r for r in _live(sandbox, "Lead") if r["IsConverted"]]
    assert converted
    assert not any(r["Id"] in read for r in converted)
    assert all(read[str(r["ConvertedContactId"])].object_type == "Contact" for r in converted)


def test_a_queue_owned_lead_has_no_owner(sandbox, make_adapter: MakeAdapter) -> None:
    queued = {r["Id"] for r in _live(sandbox, "Lead") if str(r["OwnerId"]).startswith("00G")}
    people = [p for page in make_adapter().changed_people(EPOCH) for p in page.items]
    owned = [p for p in people if p.ref.record_id in queued]
    assert owned
    assert {p.owner_email for p in owned} == {None}


def test_two_reads_in_a_row_and_the_second_sees_only_the_change(sandbox, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter()
    last = [page.cursor for page in adapter.changed_people(EPOCH)][-1]
    assert [p for page in adapter.changed_people(last) for p in page.items] == []
    lead = next(r for r in _live(sandbox, "Lead") if not r["IsConverted"])
    human = next(u for u in sandbox.store.records("User") if u["IsActive"])
    sandbox.store.update_as_user("Lead", str(lead["Id"]), str(human["Email"]), Title="VP Sales")
    again = [p for page in adapter.changed_people(last) for p in page.items]
    assert [(p.ref.record_id, p.title) for p in again] == [(lead["Id"], "VP Sales")]


def test_a_late_commit_stamped_before_the_cursor_is_read_through_the_lookback(
    sandbox, make_adapter: MakeAdapter
) -> None:
    first = [p for page in make_adapter(lookback_s=300).changed_people(EPOCH) for p in page.items]
    last = max(Cursor(p.updated_at, p.ref.record_id) for p in first if p.updated_at)
    lead = [r for r in _live(sandbox, "Lead") if not r["IsConverted"]][-1]
    human = next(u for u in sandbox.store.records("User") if u["IsActive"])
    sandbox.clock.advance(minutes=1)
    # A transaction that started two minutes before the last stamp read commits only now.
    late = last.stamp - timedelta(minutes=2)
    sandbox.store.update_as_user("Lead", str(lead["Id"]), str(human["Email"]), stamped_at=late, Title="CFO")
    again = [p for page in make_adapter(lookback_s=300).changed_people(last) for p in page.items]
    seen = {(p.ref, p.updated_at) for p in first}
    assert [(p.ref.record_id, p.title, p.updated_at) for p in again if (p.ref, p.updated_at) not in seen] == [
        (lead["Id"], "CFO", late)
    ]  # every other record re-read in the window comes at the stamp it was read at
    assert [p for page in make_adapter(lookback_s=0).changed_people(last) for p in page.items] == []


def test_resume_mid_stream_and_inside_one_stamp_reads_each_record_once(
    sandbox, make_adapter: MakeAdapter
) -> None:
    stamps = Counter(str(r["SystemModstamp"]) for r in _live(sandbox, "Lead") if not r["IsConverted"])
    assert stamps.most_common(1)[0][1] > 200  # more records share one stamp than a page holds
    adapter = make_adapter()
    whole = [p.ref.record_id for page in adapter.changed_people(EPOCH) for p in page.items]
    seen: list[str] = []
    pages = adapter.changed_people(EPOCH)
    for _ in range(3):
        page = next(pages)
        seen += [p.ref.record_id for p in page.items]
    pages.close()  # type: ignore[attr-defined]  # changed_people's iterator is a generator
    seen += [p.ref.record_id for page in adapter.changed_people(page.cursor) for p in page.items]
    assert seen == whole
    for cut in (150, 399, 1001):  # cursors inside runs of equal stamps
        people = [p for page in adapter.changed_people(EPOCH) for p in page.items]
        mid = people[cut]
        assert mid.updated_at is not None
        rest = [p.ref.record_id for page in adapter.changed_people(Cursor(mid.updated_at, mid.ref.record_id))
                for p in page.items]  # fmt: skip
        assert rest == [p.ref.record_id for p in people[cut + 1 :]]


def test_a_far_future_cursor_reads_nothing(make_adapter: MakeAdapter) -> None:
    adapter = make_adapter()
    assert list(adapter.changed_people(Cursor(datetime(2999, 1, 1, tzinfo=UTC)))) == []
    assert list(adapter.changed_activities(Cursor(datetime(2999, 1, 1, tzinfo=UTC)))) == []


def test_the_cursor_never_passes_the_cycle_start(sandbox, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter()
    start = sandbox.clock.now()
    cursors = [page.cursor for page in adapter.changed_people(EPOCH)]
    assert cursors[-1].stamp <= start


def test_activities_are_mapped_to_kinds_and_linked_to_people(sandbox, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter()
    pages = list(adapter.changed_activities(EPOCH))
    activities = [a for page in pages for a in page.items]
    kinds = Counter(a.kind for a in activities)
    assert {ActivityKind.CALL, ActivityKind.MEETING_BOOKED} <= set(kinds)
    assert kinds[ActivityKind.WEBINAR_REGISTERED] + kinds[ActivityKind.WEBINAR_ATTENDED] > 0
    assert {a.person.object_type for a in activities} == {"Lead", "Contact"}
    assert all(a.person.record_id.startswith({"Lead": "00Q", "Contact": "003"}[a.person.object_type])
               for a in activities)  # fmt: skip
    calls = {r["Id"] for r in _live(sandbox, "Task") if r["TaskSubtype"] == "Call" and r["WhoId"]}
    call_ids = {a.ref.record_id for a in activities if a.kind is ActivityKind.CALL}
    assert calls <= call_ids
    members = {r["Id"]: r for r in _live(sandbox, "CampaignMember")}
    for activity in activities:
        if activity.kind is ActivityKind.WEBINAR_ATTENDED:
            assert members[activity.ref.record_id]["Status"] == "Attended"
    assert [page.cursor for page in pages] == sorted(page.cursor for page in pages)


def test_owners_by_email_with_inactive_flagged_and_queues_and_the_own_login_by_kind(
    sandbox, make_adapter: MakeAdapter
) -> None:
    owners = list(make_adapter().owners())
    users = sandbox.store.records("User")
    queues = [g for g in sandbox.store.records("Group") if g["Type"] == "Queue" and g["Email"]]
    assert queues
    assert {o.crm_ids["sf"] for o in owners} == {u["Id"] for u in users if u["Email"]} | {
        q["Id"] for q in queues
    }
    assert {o.crm_ids["sf"] for o in owners if o.kind is OwnerKind.QUEUE} == {q["Id"] for q in queues}
    assert [o.crm_ids["sf"] for o in owners if o.kind is OwnerKind.INTEGRATION] == [
        sandbox.store.integration_user_id
    ]
    inactive = {u["Id"] for u in users if not u["IsActive"]}
    assert inactive
    assert {o.crm_ids["sf"] for o in owners if not o.active} == inactive
    assert all("@" in o.email for o in owners)


def _refs(page: Page[Person]) -> list[RecordRef]:
    return [p.ref for p in page.items] + [r.ref for r in page.rejected]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page_size=st.integers(200, 2000), cut=st.integers(0, 1000))
def test_paging_at_any_page_size_loses_and_repeats_nothing(
    sandbox, make_adapter: MakeAdapter, page_size: int, cut: int
) -> None:
    expected = _expected_people(sandbox)
    adapter = make_adapter(page_size=page_size)
    pages = list(adapter.changed_people(EPOCH))
    ids = [p.record_id for page in pages for p in _refs(page)]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    assert all(len(page.items) + len(page.rejected) + len(page.gone) == page_size for page in pages[:-1])
    at = cut % len(pages)
    rest = [p.record_id for page in adapter.changed_people(pages[at].cursor)
            for p in _refs(page)]  # fmt: skip
    head = [p.record_id for page in pages[: at + 1] for p in _refs(page)]
    assert head + rest == ids


def test_a_cursor_without_a_record_id_reads_its_whole_stamp(sandbox, make_adapter: MakeAdapter) -> None:
    stamps = Counter(str(r["SystemModstamp"]) for r in _live(sandbox, "Lead") if not r["IsConverted"])
    text, count = stamps.most_common(1)[0]
    stamp = datetime.fromisoformat(text).astimezone(UTC)
    pages = list(make_adapter().changed_people(Cursor(stamp)))
    people = [p for page in pages for p in page.items]
    at_stamp = {
        str(r["Id"])
        for r in _live(sandbox, "Lead")
        if not r["IsConverted"] and str(r["SystemModstamp"]) == text
    }
    seen = {p.ref.record_id for p in people} | {r.ref.record_id for page in pages for r in page.rejected}
    assert len(at_stamp) == count
    assert at_stamp <= seen  # read, or quarantined with a reason
    assert all(p.updated_at is not None and p.updated_at >= stamp for p in people)


def test_the_values_of_a_page_just_read_cost_no_call_and_equal_a_query(make_adapter: MakeAdapter) -> None:
    adapter = make_adapter()
    adapter.owners()  # read once per adapter: owner ids become e-mails
    page = next(iter(adapter.changed_people(EPOCH)))
    refs = [p.ref for p in page.items]
    calls = adapter.usage().calls
    served = sorted(adapter.read_current(refs), key=lambda c: c.ref.record_id)
    assert adapter.usage().calls == calls
    assert [c.ref for c in served] == sorted(refs, key=lambda r: r.record_id)
    assert served == sorted(make_adapter().read_current(refs), key=lambda c: c.ref.record_id)
    again = adapter.usage().calls
    list(adapter.read_current(refs))  # a page's values serve once: later asks query the records
    assert adapter.usage().calls - again == len({r.object_type for r in refs})  # a query per object
