"""The contract's read cases: full read, resume, far future, crowded stamps, late commits, gone records,
a spent budget and a refused stream (Airbyte's acceptance tests and the Singer SDK's standard tap tests)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Final

import pytest

from leadsync.adapter_api import BudgetExhausted
from leadsync.model import Cursor
from leadsync.testing.contract_crm import EPOCH, Contract, case, first_pages, refs_of, unseen

__all__ = ["ReadCases"]

CROWD: Final = 2000
"""Records a bulk edit stamps alike: thousands, more than any page holds."""
FAR_FUTURE: Final = Cursor(datetime(2999, 1, 1, tzinfo=UTC))


class ReadCases:
    """Incremental reads of people (and the first page of activities)."""

    @case
    def test_a_full_read_returns_every_person_once(self, crm: Contract) -> None:
        people = crm.read().people
        assert people, "the seeded sandbox holds no person the adapter reads"
        assert Counter(p.ref for p in people).most_common(1)[0][1] == 1

    @case
    def test_resuming_from_a_checkpoint_loses_and_repeats_nothing(self, crm: Contract) -> None:
        everyone = crm.read().people
        (first,) = first_pages(crm.adapter().changed_people(EPOCH), 1)
        rest = crm.read(first.cursor).people
        assert refs_of([*first.items, *unseen(first.items, rest)]) == refs_of(everyone)

    @case
    def test_a_far_future_cursor_reads_nothing(self, crm: Contract) -> None:
        adapter = crm.adapter()
        assert [p for page in adapter.changed_people(FAR_FUTURE) for p in page.items] == []
        assert [a for page in adapter.changed_activities(FAR_FUTURE) for a in page.items] == []

    @case
    def test_the_second_of_two_reads_returns_only_what_changed(self, crm: Contract) -> None:
        before = crm.read()
        assert unseen(before.people, crm.read(before.cursor).people) == []
        touched = crm.records(3)
        crm.clock.advance(minutes=5)
        crm.sandbox.bulk_edit(touched)
        crm.clock.advance(minutes=5)
        assert refs_of(unseen(before.people, crm.read(before.cursor).people)) == touched

    @case
    def test_thousands_of_records_at_one_stamp_are_read_once_each_even_when_resumed(
        self, crm: Contract
    ) -> None:
        before = crm.read()
        crowd = crm.records(CROWD)
        crm.clock.advance(minutes=1)
        crm.sandbox.bulk_edit(crowd)  # the clock stands still: one stamp
        crm.clock.advance(minutes=1)
        after = crm.read(before.cursor)
        changed = unseen(before.people, after.people)
        assert refs_of(changed) == crowd
        assert len({p.updated_at for p in changed}) == 1
        assert max(len(page.items) for page in after.pages) < CROWD  # the crowd spans pages
        middle = first_pages(crm.adapter().changed_people(before.cursor), len(after.pages) // 2)
        start = [p for page in middle for p in page.items]
        rest = crm.read(middle[-1].cursor).people  # resumed inside the crowd's stamp
        assert refs_of(unseen(before.people, [*start, *unseen(start, rest)])) == crowd

    @case
    def test_a_cursor_without_a_record_id_reads_its_whole_stamp(self, crm: Contract) -> None:
        people = crm.read().people
        stamp, _ = Counter(p.updated_at for p in people if p.updated_at).most_common(1)[0]
        at_stamp = refs_of([p for p in people if p.updated_at == stamp])
        later = crm.read(Cursor(stamp)).people  # strictly after (stamp, ""): the whole stamp is in
        assert refs_of([p for p in later if p.updated_at == stamp]) == at_stamp

    @case
    def test_the_sandbox_keeps_the_time_of_the_clock_it_is_given(self, crm: Contract) -> None:
        before = crm.read()
        assert max(p.updated_at for p in before.people if p.updated_at) <= crm.clock.now()
        (record,) = crm.records(1, last=True)
        edited_at = crm.clock.advance(days=3, minutes=7, seconds=9)  # whole seconds: some CRMs keep no less
        crm.sandbox.bulk_edit([record])
        again = unseen(before.people, crm.read(before.cursor).people)
        assert [(p.ref, p.updated_at) for p in again] == [(record, edited_at)]

    @case
    def test_a_late_commit_inside_the_lookback_is_read(self, crm: Contract) -> None:
        before = crm.read()
        (record,) = crm.records(1)
        crm.clock.advance(minutes=1)
        late = before.cursor.stamp - timedelta(seconds=1)  # stamped before the cursor, visible only now
        crm.sandbox.commit_late(record, late)
        again = unseen(before.people, crm.read(before.cursor).people)
        assert [(p.ref, p.updated_at) for p in again] == [(record, late)]

    @case
    def test_a_deleted_record_is_reported_gone_by_the_next_read(self, crm: Contract) -> None:
        before = crm.read()
        (record,) = crm.records(1, last=True)
        crm.clock.advance(minutes=1)
        crm.sandbox.delete(record)
        crm.clock.advance(minutes=1)
        after = crm.read(before.cursor)
        assert record not in {p.ref for p in after.people}
        assert record in after.gone, "the deleted record is neither a page's `gone` nor merged into anyone"
        assert after.gone[record] is None

    @case
    def test_a_merged_record_is_reported_gone_with_its_survivor(self, crm: Contract) -> None:
        before = crm.read()
        merged, survivor = crm.pair()
        crm.clock.advance(minutes=1)
        crm.sandbox.merge(survivor, merged)
        crm.clock.advance(minutes=1)
        after = crm.read(before.cursor)
        assert merged not in {p.ref for p in after.people}
        assert after.gone.get(merged) == survivor

    @case
    def test_a_spent_budget_ends_the_read_and_the_next_read_resumes_where_it_stopped(
        self, crm: Contract
    ) -> None:
        everyone = crm.read().people
        waits = len(crm.waits())
        pages = crm.adapter().changed_people(EPOCH)
        kept = first_pages(pages, 1)
        with crm.sandbox.budget_spent(), pytest.raises(BudgetExhausted):
            kept.extend(pages)  # pages already fetched may still come; no further call succeeds
        assert crm.waits()[waits:] == [], "the adapter waited for a budget that is spent for the day"
        start = [p for page in kept for p in page.items]
        rest = crm.read(kept[-1].cursor).people
        assert refs_of([*start, *unseen(start, rest)]) == refs_of(everyone)

    @case
    def test_a_refused_optional_stream_is_skipped_with_a_warning_and_the_rest_read(
        self, crm: Contract
    ) -> None:
        with crm.sandbox.refusing_optional_stream():
            adapter = crm.adapter()
            (page,) = first_pages(adapter.changed_activities(EPOCH), 1)  # every stream is asked once
            skipped = adapter.usage().skipped
        assert page.items, "nothing was read from the streams still served"
        assert skipped, "the refused stream is not named in usage().skipped"
        adapter = crm.adapter()
        first_pages(adapter.changed_activities(EPOCH), 1)
        assert adapter.usage().skipped == (), "still skipped once served again: it is not asked each read"
