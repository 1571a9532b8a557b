"""Which leads changed: Get Lead Changes (New Lead and Change Data Value activities) and Get Deleted
Leads, both from one paging token, each activity placed by its (activityDate, id).

Activity ids grow as activities are written, so a change saved late shows with an earlier date
but a later id: the read starts `lookback` before the cursor's stamp and skips the ids the cursor
has passed (a cursor without an id takes its whole stamp). The visible `updatedAt` ignores
custom-field changes (`bulk-lead-extract.md`) and is never the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from leadsync.model import Cursor

from .client import MarketoClient, Row
from .paging import paged, paging_token, when

__all__ = ["Change", "LeadChanges", "cursor_of"]

Change = tuple[datetime, int, Row]  # an activity's date and id, and the activity


class LeadChanges:
    """The changes and deletions after a cursor, `page_size` activities a call."""

    def __init__(self, client: MarketoClient, page_size: int, lookback: timedelta) -> None:
        self._client, self._page_size, self._lookback = client, page_size, lookback

    def read(self, since: Cursor, fields: Iterable[str]) -> tuple[Iterator[list[Change]], Iterator[Change]]:
        """The changes of `fields` after `since` in groups of `page_size` leads (a group spans
        activity pages, so each is one read by id), then the deletions after it (lazily)."""
        token = paging_token(self._client, since.stamp - self._lookback)
        wanted = _after(since)
        size = str(self._page_size)
        changes = paged(
            self._client, "lead changes", "/rest/v1/activities/leadchanges.json", token,
            fields=",".join(sorted(fields)), batchSize=size,
        )  # fmt: skip
        deleted = paged(
            self._client, "deleted leads", "/rest/v1/activities/deletedleads.json", token, batchSize=size
        )
        found = (c for rows in changes for c in map(_placed, rows) if wanted(c))
        return _grouped(found, self._page_size), (
            c for rows in deleted for c in map(_placed, rows) if wanted(c)
        )


def _grouped(changes: Iterable[Change], leads: int) -> Iterator[list[Change]]:
    """Consecutive changes, cut before the change of a lead that would make `leads + 1` in a group."""
    group: list[Change] = []
    seen: set[object] = set()
    for change in changes:
        lead = change[2]["leadId"]
        if lead not in seen and len(seen) == leads:
            yield group
            group, seen = [], set()
        group.append(change)
        seen.add(lead)
    if group:
        yield group


def _placed(row: Row) -> Change:
    return when(row), int(row["id"]), row


def _after(since: Cursor) -> Callable[[Change], bool]:
    if since.record_id:
        key = int(since.record_id)
        return lambda c: c[1] > key
    return lambda c: c[0] >= since.stamp


def cursor_of(change: Change) -> Cursor:
    """Where a read stands once this activity is read."""
    return Cursor(change[0], str(change[1]))
