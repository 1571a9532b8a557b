"""The Leads inbox, read only where the mapping names it (`[activities.lead]`): off by default.

Leads exist only in API v1: `GET /v1/leads` lists the leads not archived, oldest created first,
paged by `start` and `limit`, and takes no update time (developers.pipedrive.com/docs/api/v1/Leads,
"Get all leads", "Cost 20"; the recorded body: tests/fixtures/recorded/pipedrive/leads_page.json).
So every read is a full scan of the inbox, 20 tokens a page of up to 500 leads, whatever changed:
`pages` says what a scan costs, and the rows are kept only when saved since the moment asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from math import ceil
from typing import Final

from leadsync import kit

from .client import COSTS, PipedriveClient, Row

__all__ = ["LEADS", "Leads"]

LEADS: Final = "/v1/leads"


class Leads:
    """The leads of the inbox saved since a moment, and what reading the inbox costs."""

    def __init__(self, client: PipedriveClient, limit: int) -> None:
        self._client, self._limit = client, limit
        self.seen = 0  # leads in the inbox at the last scan: what the next one costs

    def since(self, moment: datetime) -> list[Row]:
        """The leads of a person saved at or after `moment`, in (update_time, id) order."""
        rows = list(self._scan())
        self.seen = len(rows)
        kept = [row for row in rows if row.get("person_id") and stamp(row) >= moment]
        return sorted(kept, key=lambda row: (stamp(row), str(row["id"])))

    def scan_tokens(self) -> int:
        """Tokens of one full scan of the inbox as large as the last one seen (an empty page at least)."""
        return COSTS["v1 list"] * max(1, ceil((self.seen + 1) / self._limit))

    def _scan(self) -> Iterator[Row]:
        start: int | None = 0
        while start is not None:
            params = {"start": start, "limit": self._limit}
            answer = self._client.call("leads", "GET", LEADS, COSTS["v1 list"], params=params)
            rows = [row for row in answer.get("data") or () if isinstance(row, dict)]
            yield from rows
            more = kit.json_at(answer, "additional_data", "pagination", "more_items_in_collection")
            start = start + len(rows) if more is True and rows else None


def stamp(row: Row) -> datetime:
    """A lead's `update_time` ("2024-10-15T09:33:33.213Z": RFC 3339 in UTC, to the millisecond)."""
    return datetime.fromisoformat(str(row["update_time"]))
