"""HubSpot's CRM search as the kit's `Keyset`: contacts and engagements changed after a (stamp, id) point.

Every page is a fresh query from the cursor, never `after`: one query stops at 10,000 results
(api-notes). The query is `(stamp > t) OR (stamp = t AND hs_object_id > id)`, stamp ≤ the
cycle's start, sorted by stamp; inside one stamp, `EQ t` and `hs_object_id GT id`, sorted by
id. HubSpot returns ties in no order (the sandbox: a fixed arbitrary one): the kit holds back a
page's last stamp. Only the absence of `paging.next.after` ends a query's results: a page may
hold fewer results than `limit`, or none, and still go on (api-notes, "Corrections, 2026-12").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from leadsync.kit import Answer, Keyset, first_rows

from .transport import Response

__all__ = ["Row", "SearchSpec", "epoch_ms", "instant", "rows_after", "search_filter", "searched"]

Row = tuple[int, int, dict[str, Any]]
"""(stamp in epoch ms, numeric id, the record's JSON) — sortable in read order."""
T = TypeVar("T")
Search = Callable[[dict[str, Any]], Response]

_ID = "hs_object_id"


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """One searchable object type: its stamp property, the properties to fetch, the page size."""

    stamp_property: str
    properties: Sequence[str]
    page_size: int
    search: Search


def epoch_ms(moment: datetime) -> int:
    """An aware instant in epoch milliseconds, as HubSpot filters take it."""
    return int(moment.timestamp() * 1000)


def instant(stamp_ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime."""
    return datetime.fromtimestamp(stamp_ms / 1000, UTC)


def rows_after(spec: SearchSpec, stamp_ms: int, last_id: int, until_ms: int) -> Iterator[list[Row]]:
    """Pages of rows strictly after (stamp_ms, last_id) up to `until_ms`, in (stamp, id) order."""
    stamp, row = spec.stamp_property, partial(_row, spec.stamp_property)

    def query(sort: str, *groups: list[dict[str, str]]) -> Answer[Row]:
        return searched(spec.search, groups, sort, properties=spec.properties, limit=spec.page_size, row=row)

    def after(t: int, last: int, cap: int) -> Answer[Row]:
        until = search_filter(stamp, "LTE", cap)
        later, same = search_filter(stamp, "GT", t), search_filter(stamp, "EQ", t)
        return query(stamp, [later, until], [same, search_filter(_ID, "GT", last), until])

    def at(t: int, last: int) -> Answer[Row]:
        return query(_ID, [search_filter(stamp, "EQ", t), search_filter(_ID, "GT", last)])

    return Keyset(after, at, lowest=0).pages(stamp_ms, last_id, until_ms)


def search_filter(name: str, operator: str, value: int) -> dict[str, str]:
    """One filter of a search's filter group."""
    return {"propertyName": name, "operator": operator, "value": str(value)}


def searched(
    search: Search,
    groups: Iterable[list[dict[str, str]]],
    sort: str,
    *,
    properties: Sequence[str],
    limit: int,
    row: Callable[[dict[str, Any]], T],
) -> Answer[T]:
    """The first page of one search (filter groups ORed, sorted ascending by `sort`) that has
    results, as rows, following `after` past empty pages."""
    body: dict[str, object] = {
        "filterGroups": [{"filters": filters} for filters in groups],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": list(properties),
        "limit": limit,
    }

    def page(after: str | None) -> tuple[list[T], str | None]:
        if after is not None:
            body["after"] = after
        answer = search(body).body
        token = ((answer.get("paging") or {}).get("next") or {}).get("after")
        return [row(r) for r in answer.get("results", [])], str(token) if token else None

    return first_rows(page)


def _row(stamp_property: str, record: dict[str, Any]) -> Row:
    """A record as a row: its stamp (ISO text or epoch ms) in epoch ms, its numeric id."""
    text = str((record.get("properties") or {}).get(stamp_property) or record.get("updatedAt"))
    stamp_ms = int(text) if text.isdigit() else epoch_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))
    return stamp_ms, int(record["id"]), record
