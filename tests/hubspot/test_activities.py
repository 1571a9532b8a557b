"""Meetings and calls read incrementally, associated to contacts in batches."""

from __future__ import annotations

from datetime import UTC, datetime

from leadsync.model import ActivityKind, Cursor
from tests.hubspot.conftest import adapter_for

EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))


def test_activities_are_associated_in_batches_and_resume_from_a_cursor(hubspot):
    before = hubspot.calls.count(endpoint="associations v4 batch/read")
    adapter = adapter_for(hubspot)
    pages = list(adapter.changed_activities(EPOCH))
    items = [a for page in pages for a in page.items]
    assert items
    assert {a.kind for a in items} <= {
        ActivityKind.MEETING_HELD,
        ActivityKind.MEETING_BOOKED,
        ActivityKind.CALL,
    }
    assert all(a.person.object_type == "contacts" for a in items)
    associations = hubspot.calls.count(endpoint="associations v4 batch/read") - before
    assert associations <= 2 * len(pages)
    engagements = len(hubspot.store.ids("meetings")) + len(hubspot.store.ids("calls"))
    assert associations < engagements / 50
    cursors = [page.cursor for page in pages]
    assert cursors == sorted(cursors, key=lambda c: (c.stamp, int(c.record_id)))
    if len(pages) > 1:
        rest = [
            a.ref for page in adapter_for(hubspot).changed_activities(pages[0].cursor) for a in page.items
        ]
        assert rest == [a.ref for page in pages[1:] for a in page.items]
