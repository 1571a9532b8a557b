"""Read CRM search results changed after a (stamp, id) cursor, each exactly once, in that order.

Every page is a fresh query from the cursor (keyset paging), never `after`: offsets drift
when records change while paging, and one query stops at 10,000 results (api-notes). The
query is `(stamp > t) OR (stamp = t AND hs_object_id > id)`, stamp ≤ the cycle's start,
sorted by stamp. HubSpot returns ties in no order (the sandbox: a fixed arbitrary one), so
the records of a page's last stamp may go on in the next page: they are held back and read
again by the next query. A page that holds one stamp only is continued inside that stamp
by `hs_object_id` (`EQ t`, `GT id`, sorted by id) until the stamp is done, whatever its size.

Only the absence of `paging.next.after` ends a query's results: a page may hold fewer results
than `limit` and still go on (api-notes, "Corrections, 2026-12"). A page with no results but an
`after` is followed by that `after`, so the next query is never the same one again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .transport import Response

__all__ = ["Row", "SearchSpec", "epoch_ms", "instant", "rows_after", "stamp_ms_of"]

Row = tuple[int, int, dict[str, Any]]
"""(stamp in epoch ms, numeric id, the record's JSON) — sortable in read order."""

_ID = "hs_object_id"


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """One searchable object type: its stamp property, the properties to fetch, the page size."""

    stamp_property: str
    properties: Sequence[str]
    page_size: int
    search: Callable[[dict[str, Any]], Response]


def epoch_ms(moment: datetime) -> int:
    """An aware instant in epoch milliseconds, as HubSpot filters take it."""
    return int(moment.timestamp() * 1000)


def instant(stamp_ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime."""
    return datetime.fromtimestamp(stamp_ms / 1000, UTC)


def rows_after(spec: SearchSpec, stamp_ms: int, last_id: int, until_ms: int) -> Iterator[list[Row]]:
    """Pages of rows strictly after (stamp_ms, last_id) up to `until_ms`, in (stamp, id) order."""
    while stamp_ms <= until_ms:
        rows, more = _query(spec, _after_groups(spec, stamp_ms, last_id, until_ms), spec.stamp_property)
        if not rows:
            return
        rows.sort(key=lambda row: (row[0], row[1]))
        if not more:  # everything that matches: no stamp is cut
            yield rows
            return
        top = rows[-1][0]
        complete = [row for row in rows if row[0] < top]
        if complete:
            yield complete
            stamp_ms, last_id = complete[-1][0], complete[-1][1]
            continue
        last_id = last_id if stamp_ms == top else 0  # a page of one stamp: go through it by id
        stamp_ms = top
        for page in _inside_stamp(spec, top, last_id):
            last_id = page[-1][1]
            yield page


def _inside_stamp(spec: SearchSpec, stamp_ms: int, last_id: int) -> Iterator[list[Row]]:
    while True:
        groups = [[_filter(spec.stamp_property, "EQ", stamp_ms), _filter(_ID, "GT", last_id)]]
        rows, more = _query(spec, groups, _ID)
        rows.sort(key=lambda row: row[1])
        if rows:
            last_id = rows[-1][1]
            yield rows
        if not more:
            return


def _after_groups(spec: SearchSpec, stamp_ms: int, last_id: int, until_ms: int) -> list[list[dict[str, str]]]:
    until = _filter(spec.stamp_property, "LTE", until_ms)
    return [
        [_filter(spec.stamp_property, "GT", stamp_ms), until],
        [_filter(spec.stamp_property, "EQ", stamp_ms), _filter(_ID, "GT", last_id), until],
    ]


def _filter(name: str, operator: str, value: int) -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": str(value)}


def _query(spec: SearchSpec, groups: list[list[dict[str, str]]], sort: str) -> tuple[list[Row], bool]:
    """The first non-empty page of a query, and whether HubSpot has more after it."""
    body: dict[str, object] = {
        "filterGroups": [{"filters": filters} for filters in groups],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": list(spec.properties),
        "limit": spec.page_size,
    }
    while True:
        answer = spec.search(body).body
        results = answer.get("results", [])
        after = ((answer.get("paging") or {}).get("next") or {}).get("after")
        if results or not after:
            rows = [(stamp_ms_of(r, spec.stamp_property), int(r["id"]), r) for r in results]
            return rows, bool(after)
        body["after"] = after


def stamp_ms_of(record: dict[str, Any], stamp_property: str) -> int:
    """A record's stamp in epoch ms, from ISO text or epoch ms."""
    value = (record.get("properties") or {}).get(stamp_property) or record.get("updatedAt")
    text = str(value)
    if text.isdigit():
        return int(text)
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
