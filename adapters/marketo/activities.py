"""Activities by type: `GET /rest/v1/activities.json?activityTypeIds=…&nextPageToken=…`.

Type ids differ between subscriptions, so they are found by name (`activities/types.json`) from
the names the mapping's rules give; at most 10 ids a call. Each row gets its type's name
(`type_name`) and its attributes as plain keys (`New Status`, `Webpage URL`…) for the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from leadsync.model import Cursor

from .changes import Change
from .client import MarketoClient, Row
from .paging import paged, paging_token, when

__all__ = ["Activities"]

TYPES_PER_CALL: Final = 10


class Activities:
    """The activities of the named types after a cursor, in (activityDate, id) order."""

    def __init__(self, client: MarketoClient, page_size: int) -> None:
        self._client, self._page_size = client, page_size
        self._types: dict[int, str] | None = None

    def types(self) -> dict[int, str]:
        """Activity type id -> its name, read once."""
        if self._types is None:
            answer = self._client.call("activity types", "GET", "/rest/v1/activities/types.json")
            self._types = {int(t["id"]): str(t["name"]) for t in answer.get("result") or ()}
        return self._types

    def since(self, since: Cursor, names: frozenset[str]) -> Iterator[Change]:
        """The activities of these type names after `since` (ids past its record id)."""
        ids = sorted(n for n, name in self.types().items() if name in names)
        if not ids:
            return iter(())
        token = paging_token(self._client, since.stamp)
        key = int(since.record_id) if since.record_id else -1
        found: list[Change] = []
        for n in range(0, len(ids), TYPES_PER_CALL):
            chunk = ",".join(map(str, ids[n : n + TYPES_PER_CALL]))
            for rows in paged(
                self._client, "activities", "/rest/v1/activities.json", token,
                activityTypeIds=chunk, batchSize=str(self._page_size),
            ):  # fmt: skip
                found += ((when(r), int(r["id"]), self._flat(r)) for r in rows if int(r["id"]) > key)
        return iter(sorted(found, key=lambda c: (c[0], c[1])))

    def _flat(self, row: Row) -> Row:
        attributes = {str(a["name"]): a.get("value") for a in row.get("attributes") or ()}
        return {**attributes, **row, "type_name": self.types().get(int(row["activityTypeId"]), "")}
