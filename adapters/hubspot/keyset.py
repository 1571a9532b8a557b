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
from functools import partial
from typing import Any, TypeVar

from hubspot import HubSpot

from leadsync.kit import Answer, Keyset, first_rows, stamp_ms

from .transport import Response, Transport

__all__ = ["Row", "SearchSpec", "rows_after", "search_filter", "searched", "searcher"]

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


def searcher(client: HubSpot, transport: Transport, object_type: str) -> Search:
    """The search of one object type (contacts, meetings…), throttled as a search."""
    api, what = client.crm.objects.search_api, f"{object_type} search"

    def search(body: dict[str, Any]) -> Response:
        return transport.call(
            what, api.do_search, search=True, object_type=object_type, public_object_search_request=body
        )

    return search


def rows_after(spec: SearchSpec, since_ms: int, last_id: int, until_ms: int) -> Iterator[list[Row]]:
    """Pages of rows strictly after (since_ms, last_id) up to `until_ms`, in (stamp, id) order."""
    stamp, row = spec.stamp_property, partial(_row, spec.stamp_property)

    def query(sort: str, *groups: list[dict[str, str]]) -> Answer[Row]:
        return searched(spec.search, groups, sort, properties=spec.properties, limit=spec.page_size, row=row)

    def after(t: int, last: int, cap: int) -> Answer[Row]:
        until = search_filter(stamp, "LTE", cap)
        later, same = search_filter(stamp, "GT", t), search_filter(stamp, "EQ", t)
        return query(stamp, [later, until], [same, search_filter(_ID, "GT", last), until])

    def at(t: int, last: int) -> Answer[Row]:
        return query(_ID, [search_filter(stamp, "EQ", t), search_filter(_ID, "GT", last)])

    return Keyset(after, at, lowest=0).pages(since_ms, last_id, until_ms)


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
        answer = search(body)
        return [row(r) for r in answer.body.get("results", [])], answer.next_after

    return first_rows(page)


def _row(stamp_property: str, record: dict[str, Any]) -> Row:
    """A record as a row: its stamp (ISO text or epoch ms) in epoch ms, its numeric id."""
    stamp = (record.get("properties") or {}).get(stamp_property) or record.get("updatedAt")
    return stamp_ms(stamp), int(record["id"]), record
