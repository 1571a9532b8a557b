"""A person's stage from their deals: won → customer, open → opportunity, lost → nurture (the mapping's
`stage` values on `deal_status`).

`GET /api/v2/persons` includes, on request, the counts of a person's open, won and lost deals
(`include_fields`, v2 spec `getPersons`); the adapter asks for them on every person it reads, so
each read of a person carries its deal status. A deal's save is not documented to save its person,
so each cycle also lists the deals saved since the persons' cursor (`GET /api/v2/deals`,
`updated_since`, cursor-paged, 10 tokens a page; v2 spec `getDeals`) and re-reads their persons.
A lost deal's `lost_reason` ("the reason for losing the deal", client-php v2 `DealRequestBody`;
tests/fixtures/recorded/pipedrive/deals_page.json) goes with the stage it gives the person.
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
    """The persons whose deals were saved in a window, and the reasons their deals were lost."""

    def __init__(self, client: PipedriveClient, limit: int) -> None:
        self._client, self._limit = client, limit
        self._lost: dict[int, str] = {}  # person id -> the reason of their deal lost last, as read

    def persons(self, since: datetime, until: datetime) -> list[int]:
        """Ids of the persons of the deals saved from `since` (inclusive) to `until` (exclusive)."""
        window = {"updated_since": rfc3339(since), "updated_until": rfc3339(until)}
        found = set()
        for row in kit.every_row(lambda c: self._page(window, c)):  # by update_time: the last lost wins
            if person := row.get("person_id"):
                found.add(int(person))
                if row.get("status") == "lost" and row.get("lost_reason"):
                    self._lost[int(person)] = str(row["lost_reason"])
        return sorted(found)

    def lost_reason(self, person_id: int) -> str | None:
        """Why this person's deal saved last among the lost ones read was lost, if it says."""
        return self._lost.get(person_id)

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
