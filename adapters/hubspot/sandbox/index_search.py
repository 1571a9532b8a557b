"""Search answered from a collection's (stamp, id) index, without looking at a record's values.

`span` turns a filter group's filters on the modification stamp (and on `hs_object_id`
within one stamp) into a run of index positions, leaving the other filters to check on
each record. When no filter is left, the matches are runs of the index and `indexed_page`
reads a page sorted by the stamp (or by id, within one stamp) straight from those runs:
its cost is the page and the ties it meets, not every match. Ties in the stamp come in
`rank` order, a fixed order that is not the ids' (HubSpot promises none among equals).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import TypeAlias

from .collection import ObjectCollection
from .filters import Comparable, Filter
from .properties import PropertyDef

__all__ = ["Key", "indexed_page", "rank", "span"]

_BIG = 1 << 62
_RANGE = frozenset({"EQ", "GT", "GTE", "LT", "LTE", "BETWEEN"})

Key: TypeAlias = tuple[int, int]


def indexed_page(
    collection: ObjectCollection,
    groups: tuple[tuple[Filter, ...], ...],
    sort_by: PropertyDef | None,
    *,
    descending: bool,
    positions: range,
) -> tuple[list[int], int] | None:
    """The ids at `positions` of the ordered matches and how many match, if the index alone can tell."""
    runs = _runs(collection, groups)
    if runs is None:
        return None
    page = _page_of_runs(runs, sort_by, collection.modified_property, descending, positions)
    return None if page is None else (page, runs.total)


@dataclass(frozen=True, slots=True)
class _Runs:
    """Matches that are whole runs of the (stamp, id) index: disjoint [lo, hi) positions, ascending."""

    index: Sequence[Key]
    bounds: tuple[tuple[int, int], ...]
    total: int

    def nths(self, start: int, stop: int) -> list[Key]:
        """The index keys of matches `start` to `stop` (counted from 0 in index order)."""
        found: list[Key] = []
        for lo, hi in self.bounds:
            found.extend(self.index[lo + max(0, start) : lo + min(hi - lo, stop)])
            start, stop = start - (hi - lo), stop - (hi - lo)
        return found

    def before(self, position: int) -> int:
        """How many matches sit before an index position."""
        return sum(max(0, min(hi, position) - lo) for lo, hi in self.bounds)

    def between(self, start: int, stop: int) -> list[Key]:
        """The matches between two index positions, in index order."""
        return [key for lo, hi in self.bounds for key in self.index[max(lo, start) : min(hi, stop)]]


def _runs(collection: ObjectCollection, groups: tuple[tuple[Filter, ...], ...]) -> _Runs | None:
    """The matches as runs of the index, or None when a filter needs a record's values."""
    index = collection.index()
    spans = []
    for group in groups or ((),):
        lo, hi, residual = span(index, group, collection.modified_property)
        if residual:
            return None
        if lo < hi:
            spans.append((lo, hi))
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):  # groups are ORed: overlapping runs count once
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return _Runs(index, tuple(merged), sum(hi - lo for lo, hi in merged))


def _page_of_runs(
    runs: _Runs, sort_by: PropertyDef | None, modified: str, descending: bool, positions: range
) -> list[int] | None:
    """The page's ids when its order follows the index (None when it does not)."""
    total = runs.total
    start, end = positions.start, min(positions.stop, total)
    # The page's matches in index order: the same records, whichever the direction.
    keys = runs.nths(total - end, total - start) if descending else runs.nths(start, end)
    if sort_by is not None and sort_by.name == modified:
        return _page_by_stamp(runs, keys, start, end, descending=descending)
    one_stamp = total == 0 or runs.nths(0, 1)[0][0] == runs.nths(total - 1, total)[0][0]
    if sort_by is not None and sort_by.name == "hs_object_id" and one_stamp:  # index order is id order
        return [k[1] for k in (reversed(keys) if descending else keys)]
    return None


def _page_by_stamp(runs: _Runs, keys: list[Key], start: int, end: int, *, descending: bool) -> list[int]:
    """The page's ids by stamp, ties in rank order, from its keys in index order.

    Ties inside the page are all among its keys; the first and last stamps may have ties
    outside it, so those are read and ordered in full (only they cost more than the page).
    """
    groups = [list(ties) for _, ties in groupby(keys, key=itemgetter(0))]
    if descending:
        groups.reverse()
    page: list[int] = []
    for at, ties in enumerate(groups):
        if at in (0, len(groups) - 1):
            page.extend(k[1] for k in _every_tie(runs, ties[0][0], start, end, descending=descending))
        else:
            ties.sort(key=_tie_rank, reverse=descending)  # stable, as sorting every match is
            page.extend(k[1] for k in ties)
    return page


def _every_tie(runs: _Runs, stamp: int, start: int, end: int, *, descending: bool) -> list[Key]:
    """The matches at `stamp` that fall between `start` and `end` in the order."""
    first, last = bisect_left(runs.index, (stamp,)), bisect_left(runs.index, (stamp + 1,))
    ties = runs.between(first, last)
    ties.sort(key=_tie_rank, reverse=descending)
    earlier = runs.before(first)
    block = runs.total - earlier - len(ties) if descending else earlier  # where the ties start in the order
    return ties[max(start, block) - block : min(end, block + len(ties)) - block]


def _tie_rank(key: Key) -> int:
    return rank(key[1])


def span(
    index: Sequence[Key], group: tuple[Filter, ...], modified: str
) -> tuple[int, int, tuple[Filter, ...]]:
    """Index positions a group's stamp (and same-stamp id) filters allow, and the filters left to check."""
    lo, hi, stamp = 0, len(index), None
    residual, ids = [], []
    for f in group:
        if f.definition.name == modified and f.operator in _RANGE:
            lo, hi = _narrow(index, lo, hi, f, None)
            stamp = int(f.value) if f.operator == "EQ" and isinstance(f.value, int | float) else stamp
        elif f.definition.name == "hs_object_id" and f.operator in _RANGE - {"BETWEEN"}:
            ids.append(f)
        else:
            residual.append(f)
    for f in ids:
        if stamp is not None and isinstance(f.value, float) and f.value.is_integer():
            lo, hi = _narrow(index, lo, hi, f, stamp)
        else:
            residual.append(f)
    return lo, max(lo, hi), tuple(residual)


def _narrow(index: Sequence[Key], lo: int, hi: int, f: Filter, stamp: int | None) -> tuple[int, int]:
    """Positions left after one range filter: on the stamp, or on the id within `stamp`."""

    def key(value: Comparable | None, edge: int) -> tuple[Comparable, int]:
        number = value if isinstance(value, int | float) else 0
        return (stamp, int(number)) if stamp is not None else (number, edge)

    if f.operator in ("GT", "EQ", "GTE", "BETWEEN"):
        start = (
            bisect_right(index, key(f.value, _BIG))
            if f.operator == "GT"
            else bisect_left(index, key(f.value, -_BIG))
        )
        lo = max(lo, start)
    if f.operator in ("LT", "EQ", "LTE", "BETWEEN"):
        bound = f.high if f.operator == "BETWEEN" else f.value
        end = (
            bisect_left(index, key(bound, -_BIG))
            if f.operator == "LT"
            else bisect_right(index, key(bound, _BIG))
        )
        hi = min(hi, end)
    return lo, hi


def rank(number: int) -> int:
    """A fixed, id-independent position among equals (Knuth's multiplicative hash)."""
    return (number * 2654435761) & 0xFFFFFFFF
