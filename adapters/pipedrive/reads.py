"""Reading persons and activities: `GET /api/v2/{persons,activities}`, in (update_time, id) order.

`updated_since` is inclusive and `updated_until` exclusive, both RFC 3339 to the second;
`sort_by=update_time` orders by stamp only, and a page's `additional_data.next_cursor` (null on
the last) pages one query (client-nodejs `v2/api/persons-api.ts`, Pipedrive's v2 OpenAPI spec).
Ties at a stamp come in no documented order, so the kit's `Keyset` holds a page's last stamp back
and asks again from the last settled row, and walks a crowded stamp by id (`sort_by=id`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from leadsync import kit

from .client import COSTS, PipedriveClient, Row

__all__ = ["SECOND", "Place", "Stream", "rfc3339"]

Place = tuple[datetime, int, Row]  # a row's (stamp, id) and the row
LOWEST: Final = -1  # below every Pipedrive id
SECOND: Final = timedelta(seconds=1)


class Stream:
    """One v2 list endpoint read as a keyset (`persons`, `activities`)."""

    def __init__(
        self, client: PipedriveClient, what: str, path: str, limit: int, extra: Row | None = None
    ) -> None:
        self._client, self._what, self._path, self._limit = client, what, path, limit
        self._extra = extra or {}  # further parameters of every call (`include_fields`)
        self._keyset: kit.Keyset[datetime, int, Row] = kit.Keyset(self._after, self._at, LOWEST)

    def pages(self, stamp: datetime, key: int, until: datetime) -> Iterator[list[Place]]:
        """Pages of rows strictly after (stamp, key), stamps up to `until`, in (stamp, id) order."""
        return self._keyset.pages(_second(stamp), key, _second(until))

    def _after(self, stamp: datetime, key: int, until: datetime) -> kit.Answer[Place]:
        query = {"updated_since": rfc3339(stamp), "updated_until": rfc3339(until + SECOND)}
        return kit.first_rows(
            partial(self._page, {**query, "sort_by": "update_time"}, lambda p: p > (stamp, key))
        )

    def _at(self, stamp: datetime, key: int) -> kit.Answer[Place]:
        query = {"updated_since": rfc3339(stamp), "updated_until": rfc3339(stamp + SECOND)}
        return kit.first_rows(partial(self._page, {**query, "sort_by": "id"}, lambda p: p[1] > key))

    def _page(
        self, query: Row, wanted: Callable[[tuple[datetime, int]], bool], cursor: str | None
    ) -> tuple[list[Place], str | None]:
        params = {
            **self._extra,
            **query,
            "sort_direction": "asc",
            "limit": self._limit,
            **({"cursor": cursor} if cursor else {}),
        }
        answer = self._client.call(self._what, "GET", self._path, COSTS["list"], params=params)
        rows = [(stamp_of(row), int(row["id"]), row) for row in answer.get("data") or ()]
        token = kit.json_at(answer, "additional_data", "next_cursor")
        return [row for row in rows if wanted((row[0], row[1]))], str(token) if token else None


def stamp_of(row: Row) -> datetime:
    """A row's `update_time` (RFC 3339, UTC)."""
    return datetime.fromisoformat(str(row["update_time"]))


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def rfc3339(moment: datetime) -> str:
    """RFC 3339 to the second in UTC, as the v2 lists take it: 2025-01-01T10:20:00Z."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
