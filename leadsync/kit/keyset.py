"""Keyset reading: a search API's rows strictly after a (stamp, key) point, each once, in that order.

Every page is a fresh query from the last row given out, never an offset: offsets drift when
records change while paging, and search APIs cap how far one query pages. The API sorts by
stamp but gives ties in no known order, so the rows of a page's last stamp may go on in the next
page: they are held back and asked for again. A page of one stamp only is continued inside that
stamp by key, whatever its size. Only a missing next-page token ends a query: a page may be
empty, or short, and still go on (`first_rows`). A stream read in stamp order whose ties come in
no order holds each stamp's rows until the next stamp shows (`stamp_groups`). A second feed of
the same records read in the same order (deletions, listed apart) joins the pages of the first
(`merged_pages`), so one cursor covers both.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Generic, NamedTuple, Protocol, Self, TypeVar

__all__ = ["Answer", "Keyset", "by_key", "first_rows", "merged_pages", "stamp_groups"]


class _Ordered(Protocol):
    def __lt__(self, other: Self, /) -> bool: ...


S = TypeVar("S", bound=_Ordered)  # a stamp: epoch ms, an aware datetime
K = TypeVar("K", bound=_Ordered)  # a record's key within a stamp: its id
R = TypeVar("R")  # a record
T = TypeVar("T")
N = TypeVar("N")  # a next-page token


class Answer(NamedTuple, Generic[T]):
    """The first page of a query that has rows (none: the query has none), and whether more follow."""

    rows: list[T]
    more: bool


def first_rows(page: Callable[[N | None], tuple[list[T], N | None]]) -> Answer[T]:
    """The first page of one query that holds rows, asked page by page (None: the first page).

    `page` gives a page's rows and the token of the next page (None: the last page). An empty
    page with a token is followed by that token, so the next query is never this one again.
    """
    rows, token = page(None)
    while not rows and token is not None:
        rows, token = page(token)
    return Answer(rows, token is not None)


def by_key(query: Callable[[K], Answer[T]], start: K, key: Callable[[T], K]) -> Iterator[list[T]]:
    """Pages of a query for rows with a key above `start`, asked again after each page's last key."""
    while True:
        rows, more = query(start)
        if rows:
            rows = sorted(rows, key=key)
            start = key(rows[-1])
            yield rows
        if not more:
            return


@dataclass(frozen=True, slots=True)
class Keyset(Generic[S, K, R]):
    """The two queries of one searchable stream, whose rows are (stamp, key, record)."""

    after: Callable[[S, K, S], Answer[tuple[S, K, R]]]
    """Rows strictly after (stamp, key), stamps up to the third argument, sorted by stamp."""
    at: Callable[[S, K], Answer[tuple[S, K, R]]]
    """Rows at the stamp with a key above the key, sorted by key."""
    lowest: K
    """A key below every record's."""

    def pages(self, stamp: S, key: K, until: S) -> Iterator[list[tuple[S, K, R]]]:
        """Pages of rows strictly after (stamp, key) up to `until`, in (stamp, key) order."""
        while not until < stamp:
            rows, more = self.after(stamp, key, until)
            if not rows:
                return
            rows = sorted(rows, key=_place)
            if not more:  # everything that matches: no stamp is cut
                yield rows
                return
            top = rows[-1][0]
            settled = [row for row in rows if row[0] < top]
            if settled:
                yield settled
                stamp, key = settled[-1][0], settled[-1][1]
                continue
            if stamp < top:  # a page of one stamp: go through it by key
                stamp, key = top, self.lowest
            for page in by_key(partial(self.at, top), key, _key):
                key = page[-1][1]
                yield page


def stamp_groups(rows: Iterable[T], place: Callable[[T], tuple[S, K]]) -> Iterator[list[T]]:
    """The rows of each stamp together, in `place` (stamp, key) order, from rows in stamp order
    whose ties come in no order: a stamp's rows are held until the next stamp shows."""
    for _, group in itertools.groupby(rows, key=lambda row: place(row)[0]):
        yield sorted(group, key=place)


def merged_pages(
    pages: Iterable[list[R]], rows: Iterable[R], place: Callable[[R], K], *, size: int
) -> Iterator[list[R]]:
    """Each page with the `rows` that come up to its last row merged in (both in `place` order), then
    the rows after the last page in pages of `size`: a page of the first feed is never held back
    for the second, so each page still costs what it cost alone."""
    others = iter(rows)
    held = list(itertools.islice(others, 1))
    for page in pages:
        joined: list[R] = []
        while held and page and not place(page[-1]) < place(held[0]):
            joined.append(held[0])
            held = list(itertools.islice(others, 1))
        yield list(heapq.merge(page, joined, key=place)) if joined else page
    others = itertools.chain(held, others)
    while rest := list(itertools.islice(others, size)):
        yield rest


def _place(row: tuple[S, K, object]) -> tuple[S, K]:
    return row[0], row[1]


def _key(row: tuple[object, K, object]) -> K:
    return row[1]
