"""A person's stage from their deals: won → customer, open → opportunity, lost → nurture (the mapping's
`stage` values on `deal_status`).

`GET /api/v2/persons` includes, on request, the counts of a person's open, won and lost deals
(`include_fields`, v2 spec `getPersons`); the adapter asks for them on every person it reads, so
each read of a person carries its deal status. A deal's save is not documented to save its person,
so each cycle also lists the deals saved since the persons' cursor (`GET /api/v2/deals`,
`updated_since`, cursor-paged, 10 tokens a page; v2 spec `getDeals`) and re-reads their persons.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from leadsync import kit

from .client import COSTS, PipedriveClient, Row
from .reads import rfc3339

__all__ = ["DEAL_FIELDS", "INCLUDE", "STATUS", "Deals", "with_status"]

COUNTS: Final = {"won": "won_deals_count", "open": "open_deals_count", "lost": "lost_deals_count"}
INCLUDE: Final = ",".join(COUNTS.values())  # GET /api/v2/persons `include_fields`
STATUS: Final = "deal_status"  # what the mapping reads: won, open, lost, or nothing without deals
DEAL_FIELDS: Final = {
    STATUS: kit.CrmField(
        STATUS, kit.FieldKind.CHOICE, "deals", False, "computed from the person's deals", frozenset(COUNTS)
    )
}


def with_status(row: Row) -> Row:
    """The flat person with its `deal_status`: won before open before lost (its counts, in that order)."""
    return {**row, STATUS: next((status for status, count in COUNTS.items() if row.get(count)), None)}


class Deals:
    """The persons whose deals were saved in a window."""

    def __init__(self, client: PipedriveClient, limit: int) -> None:
        self._client, self._limit = client, limit

    def persons(self, since: datetime, until: datetime) -> list[int]:
        """Ids of the persons of the deals saved from `since` (inclusive) to `until` (exclusive)."""
        window = {"updated_since": rfc3339(since), "updated_until": rfc3339(until)}
        found = {
            int(row["person_id"])
            for row in kit.every_row(lambda c: self._page(window, c))
            if row.get("person_id")
        }
        return sorted(found)

    def _page(self, window: Row, cursor: str | None) -> tuple[list[Row], str | None]:
        params = {
            **window,
            "sort_by": "update_time",
            "limit": self._limit,
            **({"cursor": cursor} if cursor else {}),
        }
        answer = self._client.call("deals", "GET", "/api/v2/deals", COSTS["list"], params=params)
        token = kit.json_at(answer, "additional_data", "next_cursor")
        return list(answer.get("data") or ()), str(token) if token else None
