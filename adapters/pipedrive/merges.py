"""Merged persons, learnt from `GET /v1/recents?items=person` (v1 only; 20 tokens a page).

`GET /api/v2/persons` leaves a deleted person out and its rows carry no merge field, so a merge
shows only on the survivor: a merge saves it (webhooks v2 send "one for the deleted object and
another for the updated object", pipedrive.readme.io/docs/webhooks-v2-migration-guide), and its
v1 shape carries `merge_what_id`, "the ID of the person with what the main person was merged"
(client-nodejs `v1/models/person-name-count-and-email-info-with-ids-all-of.ts`; a recents person
item is that `MergePersonItem`, `recents-data-inner-any-of6.ts`). Recents pages by `start` and
`limit` and says `additional_data.pagination.more_items_in_collection`; it keeps 30 days.
A deletion shows nowhere a poll can read (tests/contract, `TestPipedriveContract`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from leadsync import kit

from .client import COSTS, PipedriveClient, Row

__all__ = ["Merges"]

RECENTS: Final = "/v1/recents"


class Merges:
    """Merged-away person id -> its survivor's id, for the persons saved since a moment."""

    def __init__(self, client: PipedriveClient, limit: int) -> None:
        self._client, self._limit = client, limit

    def since(self, moment: datetime) -> dict[int, int]:
        """Every merge whose survivor was saved at or after `moment` (recents' own window)."""
        found: dict[int, int] = {}
        start: int | None = 0
        while start is not None:
            rows, start = self._page(moment, start)
            for row in rows:
                merged = kit.json_at(row, "data", "merge_what_id")
                if row.get("item") == "person" and isinstance(merged, int):
                    found[merged] = int(row["id"])
        return found

    def _page(self, moment: datetime, start: int) -> tuple[list[Row], int | None]:
        params = {
            "since_timestamp": moment.astimezone(UTC).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),  # "UTC. Format: YYYY-MM-DD HH:MM:SS"
            "items": "person",
            "start": start,
            "limit": self._limit,
        }
        answer = self._client.call("recent persons", "GET", RECENTS, COSTS["v1 list"], params=params)
        rows = [row for row in answer.get("data") or () if isinstance(row, dict)]
        more = kit.json_at(answer, "additional_data", "pagination", "more_items_in_collection")
        return rows, start + len(rows) if more is True and rows else None
