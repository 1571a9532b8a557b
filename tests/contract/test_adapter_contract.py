"""The standard suite every adapter passes against its sandbox (DESIGN.md, STYLE.md §10)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from leadsync.adapter_api import BudgetExhausted, Change, UnmappedFieldError
from leadsync.model import Cursor, Person
from leadsync.plan import plan_changes
from tests.contract.conftest import PAGE_SIZE, Sandboxed

EPOCH = Cursor(datetime(2000, 1, 1, tzinfo=UTC))


def read_all(crm: Sandboxed, since: Cursor = EPOCH) -> tuple[list[Person], Cursor]:
    cursor, people = since, []
    for page in crm.adapter().changed_people(since):
        people.extend(page.items)
        cursor = page.cursor
    return people, cursor


def unseen(seen: list[Person], again: list[Person]) -> list[Person]:
    """What the engine takes of a re-read: records at a stamp it has not read them at (a CRM's
    lookback window re-reads recent records unchanged; their stamp tells them apart)."""
    known = {(p.ref, p.updated_at) for p in seen}
    return [p for p in again if (p.ref, p.updated_at) not in known]


def test_check_passes_with_the_sandbox_credentials(crm: Sandboxed) -> None:
    report = crm.adapter().check()
    assert report.ok, report.problems


def test_check_reports_a_bad_credential_as_a_problem(crm: Sandboxed) -> None:
    secret_key = "session_id" if "session_id" in crm.sandbox.settings() else "access_token"
    report = crm.adapter(**{secret_key: "not-a-valid-credential"}).check()
    assert not report.ok
    assert all("not-a-valid-credential" not in p.render() for p in report.problems)


def test_a_far_future_cursor_reads_nothing(crm: Sandboxed) -> None:
    since = Cursor(datetime(2999, 1, 1, tzinfo=UTC))
    assert [p for page in crm.adapter().changed_people(since) for p in page.items] == []


def test_every_person_is_read_once_even_when_more_share_a_stamp_than_a_page_holds(crm: Sandboxed) -> None:
    people, _ = read_all(crm)
    ids = Counter(p.ref for p in people)
    assert ids.most_common(1)[0][1] == 1
    stamps = Counter(p.updated_at for p in people)
    assert stamps.most_common(1)[0][1] > PAGE_SIZE  # the precondition of the test


def test_resuming_from_a_checkpoint_mid_stream_loses_and_repeats_nothing(crm: Sandboxed) -> None:
    everyone, _ = read_all(crm)
    pages = crm.adapter().changed_people(EPOCH)
    first = next(pages)
    rest, _ = read_all(crm, first.cursor)
    assert sorted(p.ref for p in [*first.items, *unseen(list(first.items), rest)]) == sorted(
        p.ref for p in everyone
    )


def test_the_second_of_two_reads_returns_only_what_changed_between_them(crm: Sandboxed) -> None:
    people, cursor = read_all(crm)
    assert unseen(people, read_all(crm, cursor)[0]) == []
    touched = sorted(people, key=lambda p: p.ref)[:3]
    crm.clock.advance(minutes=5)
    results = list(crm.adapter().apply([Change(p.ref, {"score": 77}) for p in touched]))
    assert all(r.ok for r in results), results
    crm.clock.advance(minutes=5)
    again, _ = read_all(crm, cursor)
    assert sorted(p.ref for p in unseen(people, again)) == [p.ref for p in touched]


def test_the_sandbox_keeps_the_time_of_the_clock_it_is_given(crm: Sandboxed) -> None:
    """Seeded up to the clock's instant, saves stamped by it: no sandbox reads today's date."""
    people, cursor = read_all(crm)
    assert max(p.updated_at for p in people if p.updated_at) <= crm.clock.now()
    written_at = crm.clock.advance(days=3, minutes=7, seconds=9)  # whole seconds: Salesforce keeps no less
    (person,) = people[-1:]
    assert all(r.ok for r in crm.adapter().apply([Change(person.ref, {"score": 31})]))
    again, _ = read_all(crm, cursor)
    assert [(p.ref, p.updated_at) for p in unseen(people, again)] == [(person.ref, written_at)]


def test_values_just_read_back_plan_no_write(crm: Sandboxed) -> None:
    people, _ = read_all(crm)
    refs = [p.ref for p in people[:50]]
    current = {c.ref: c.values for c in crm.adapter().read_current(refs)}
    assert set(current) == set(refs)
    assert plan_changes(current, current) == []
    written = {ref: {**values, "score": 12} for ref, values in list(current.items())[:5]}
    assert all(r.ok for r in crm.adapter().apply(plan_changes(written, current)))
    after = {c.ref: c.values for c in crm.adapter().read_current(list(written))}
    assert plan_changes(written, after) == []  # our own write read back is an echo


def test_an_unmapped_value_is_refused_and_nothing_is_sent(crm: Sandboxed) -> None:
    people, _ = read_all(crm)
    before = crm.sandbox.calls.count()
    adapter = crm.adapter()
    with pytest.raises(UnmappedFieldError):
        list(adapter.apply([Change(people[0].ref, {"favourite_colour": "blue"})]))
    assert crm.sandbox.calls.count() == before


def test_one_rejected_record_leaves_the_others_written(crm: Sandboxed) -> None:
    people, _ = read_all(crm)
    batch = sorted(people, key=lambda p: p.ref)[10:15]
    crm.dialect.reject(crm.sandbox, batch[2].ref.record_id)
    results = list(crm.adapter().apply([Change(p.ref, {"score": 41}) for p in batch]))
    assert [r.ok for r in results] == [True, True, False, True, True]
    assert results[2].code
    current = {c.ref: c.values for c in crm.adapter().read_current([p.ref for p in batch])}
    assert [current[p.ref]["score"] == 41 for p in batch] == [True, True, False, True, True]


def test_a_rate_limit_in_the_crms_own_dialect_is_waited_out_or_ends_the_cycle(crm: Sandboxed) -> None:
    crm.waits.clear()
    crm.sandbox.faults.push(crm.dialect.rate_limit)
    try:
        list(crm.adapter().owners())
    except BudgetExhausted:
        assert crm.waits == []  # a spent daily allowance is not waited for
    else:
        assert crm.waits, "the adapter retried without waiting"


def test_a_cursor_without_a_record_id_reads_every_record_at_its_stamp(crm: Sandboxed) -> None:
    people, _ = read_all(crm)
    stamp = Counter(p.updated_at for p in people).most_common(1)[0][0]
    assert stamp is not None
    at_stamp = sorted(p.ref for p in people if p.updated_at == stamp)
    later, _ = read_all(crm, Cursor(stamp))  # strictly after (stamp, ""): the whole stamp is in
    assert sorted(p.ref for p in later if p.updated_at == stamp) == at_stamp
