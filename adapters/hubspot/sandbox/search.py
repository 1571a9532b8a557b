"""CRM search as HubSpot answers it: filter groups, one sort, offset paging, and its limits.

Limits (api-notes.md): ≤ 5 filter groups, filters per group configurable (6 in the current
guide), `limit` ≤ 200 (default 10), and no result past the 10,000th: `after + limit` over
10,000 is a 400 VALIDATION_ERROR. `after` is an offset written as a string; `paging` is
absent on the last page. Sorting accepts `{"propertyName", "direction"}` or the string
form `"name"` / `"-name"`.

Records with equal sort values come back in a fixed but arbitrary order (not by id): the
real API promises no order for ties, so an adapter that needs one must sort by
`hs_object_id` (e.g. `lastmodifieddate EQ t AND hs_object_id GT n`, sorted by id).
Filters on the modification stamp (and on `hs_object_id` within one stamp) are answered
from the (stamp, id) index (`index_search`), which also serves whole pages sorted by the
stamp when no other filter is given. Other queries order every match; the orderings of the
last few are kept until the collection changes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from .collection import ObjectCollection
from .errors import invalid_input
from .filters import Comparable, Filter, parse_filter, typed
from .index_search import Key, indexed_page, rank, span
from .properties import PropertyDef

__all__ = ["SearchLimits", "Searcher"]

_CACHED_QUERIES = 8


@dataclass(frozen=True, slots=True)
class SearchLimits:
    """HubSpot's search limits; filters per group: 6 in the current guide, 10 in a 2024 changelog."""

    max_groups: int = 5
    max_filters_per_group: int = 6
    max_filters: int = 18
    max_page: int = 200
    max_results: int = 10_000
    short_pages: int | None = None
    """Answer at most this many results a page whatever `limit`, with `paging.next.after` when more
    match: a real page may hold fewer results than `limit` and still go on (api-notes,
    "Corrections, 2026-12", "HubSpot search paging"). None: full pages."""


@dataclass(frozen=True, slots=True)
class _Query:
    groups: tuple[tuple[Filter, ...], ...]
    sort_by: PropertyDef | None
    descending: bool
    words: tuple[str, ...]
    properties: tuple[str, ...] | None
    limit: int
    after: int

    def key(self) -> Hashable:
        return (self.groups, self.sort_by, self.descending, self.words)


class Searcher:
    """Answers search requests over collections; call it under the store's lock."""

    def __init__(self, limits: SearchLimits) -> None:
        self.limits = limits
        self._orderings: OrderedDict[Hashable, list[int]] = OrderedDict()

    def search(self, collection: ObjectCollection, body: object) -> dict[str, Any]:
        """The response body for a search request on `collection`, or a HubSpotApiError."""
        query = self._parse(collection, body)
        page, total = self._page(collection, query)
        if self.limits.short_pages is not None:
            page = page[: self.limits.short_pages]
        answer: dict[str, Any] = {
            "total": total,
            "results": [collection.to_json(collection.by_number(n), query.properties) for n in page],
        }
        end = query.after + (query.limit if self.limits.short_pages is None else len(page))
        if end < total:
            answer["paging"] = {"next": {"after": str(end)}}
        return answer

    def _page(self, collection: ObjectCollection, query: _Query) -> tuple[list[int], int]:
        """The ids of the page's records, in order, and how many records match in all."""
        if not query.words:
            positions = range(query.after, query.after + query.limit)
            found = indexed_page(
                collection, query.groups, query.sort_by, descending=query.descending, positions=positions
            )
            if found is not None:
                return found
        ordered = self._ordering(collection, query)
        return ordered[query.after : query.after + query.limit], len(ordered)

    def _ordering(self, collection: ObjectCollection, query: _Query) -> list[int]:
        key = (collection.object_type, collection.version, query.key())
        ordered = self._orderings.get(key)
        if ordered is None:
            ordered = _ordered(collection, _matches(collection, query), query)
            self._orderings[key] = ordered
            while len(self._orderings) > _CACHED_QUERIES:
                self._orderings.popitem(last=False)
        return ordered

    def _parse(self, collection: ObjectCollection, body: object) -> _Query:
        if not isinstance(body, Mapping):
            raise invalid_input("Invalid input JSON: the search request must be an object")
        limits, definitions = self.limits, collection.definitions
        raw_groups = body.get("filterGroups") or (
            [{"filters": body["filters"]}] if body.get("filters") else []
        )
        if not isinstance(raw_groups, list) or len(raw_groups) > limits.max_groups:
            raise invalid_input(
                f"Too many filter groups ({len(raw_groups)}); the maximum is {limits.max_groups}"
            )
        groups = tuple(_group(raw, definitions, limits.max_filters_per_group) for raw in raw_groups)
        if sum(len(g) for g in groups) > limits.max_filters:
            raise invalid_input(
                f"Too many filters; the maximum is {limits.max_filters} across all filter groups"
            )
        sort_by, descending = _sort(body.get("sorts") or [], definitions)
        limit, after = _number(body.get("limit", 10), "limit"), _number(body.get("after") or 0, "after")
        if not 1 <= limit <= limits.max_page:
            raise invalid_input(f"limit must be between 1 and {limits.max_page}, got {limit}")
        if after + limit > limits.max_results:
            raise invalid_input(
                f"Search results are limited to {limits.max_results}: after ({after}) + limit ({limit}) "
                f"reaches past the {limits.max_results}th result. Narrow the query to page further."
            )
        wanted = body.get("properties")
        properties = tuple(str(p) for p in wanted) if isinstance(wanted, list) and wanted else None
        words = tuple(str(body.get("query") or "").lower().split())
        return _Query(groups, sort_by, descending, words, properties, limit, after)


def _group(raw: object, definitions: Mapping[str, PropertyDef], max_filters: int) -> tuple[Filter, ...]:
    filters = raw.get("filters") if isinstance(raw, Mapping) else None
    if not isinstance(filters, list):
        raise invalid_input("Invalid input JSON: a filter group must have a list of filters")
    if len(filters) > max_filters:
        raise invalid_input(
            f"Too many filters in a filter group ({len(filters)}); the maximum is {max_filters}"
        )
    return tuple(parse_filter(f, definitions) for f in filters)


def _sort(raw: object, definitions: Mapping[str, PropertyDef]) -> tuple[PropertyDef | None, bool]:
    if not isinstance(raw, list) or len(raw) > 1:
        raise invalid_input("Only one sort is supported")
    if not raw:
        return None, False
    rule = raw[0]
    if isinstance(rule, str):
        name, descending = rule.removeprefix("-"), rule.startswith("-")
    elif isinstance(rule, Mapping):
        name, descending = str(rule.get("propertyName")), rule.get("direction", "ASCENDING") == "DESCENDING"
    else:
        raise invalid_input("Invalid input JSON: a sort must be a property name or {propertyName, direction}")
    if name not in definitions:
        raise invalid_input(f"Unable to sort on property {name}: it does not exist")
    return definitions[name], descending


def _number(value: object, name: str) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise invalid_input(f"{name} must be a whole number, got {value!r}") from None
    if number < 0:
        raise invalid_input(f"{name} must not be negative, got {number}")
    return number


def _matches(collection: ObjectCollection, query: _Query) -> list[Key]:
    """The (modified, id) keys of the matching records, in index order."""
    index = collection.index()
    groups = query.groups or ((),)
    found: list[Key] | set[Key] = [] if len(groups) == 1 else set()
    for group in groups:
        lo, hi, residual = span(index, group, collection.modified_property)
        keys = index[lo:hi]
        if residual or query.words:
            keys = [k for k in keys if _passes(collection.by_number(k[1]).properties, residual, query.words)]
        found = list(keys) if isinstance(found, list) else found | set(keys)
    return sorted(found) if isinstance(found, set) else found


def _passes(properties: Mapping[str, str], filters: tuple[Filter, ...], words: tuple[str, ...]) -> bool:
    if not all(f.matches(properties) for f in filters):
        return False
    if not words:
        return True
    tokens = [
        t for value in properties.values() for t in value.lower().replace("@", " ").replace(".", " ").split()
    ]
    return all(any(t.startswith(w) for t in tokens) for w in words)


def _ordered(collection: ObjectCollection, keys: list[Key], query: _Query) -> list[int]:
    sort_by, descending = query.sort_by, query.descending
    if sort_by is None:
        return sorted((k[1] for k in keys), key=rank)
    if sort_by.name == "hs_object_id":
        return sorted((k[1] for k in keys), reverse=descending)
    if sort_by.name == collection.modified_property:
        keys.sort(key=lambda k: (k[0], rank(k[1])), reverse=descending)
        return [k[1] for k in keys]

    present: list[tuple[Comparable, int, int]] = []
    missing: list[tuple[int, int]] = []
    for _, number in keys:
        raw = collection.by_number(number).properties.get(sort_by.name)
        value = typed(sort_by, raw) if raw else None
        if value is None:
            missing.append((rank(number), number))
        else:
            present.append((value, rank(number), number))
    present.sort(reverse=descending)
    return [n for _, _, n in present] + [n for _, n in sorted(missing)]  # no value: last either way
