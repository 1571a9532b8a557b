"""A listing read whole: each page asked with the next-page token the page before gave, until none.

List endpoints page by an opaque token: HubSpot's `paging.next.after`, Pipedrive's
`additional_data.next_cursor`, Marketo's and Account Engagement's `nextPageToken`. Only a
missing token ends a listing: a page may be short, or empty, and still go on. Pages are asked
lazily, one when the rows of the one before are used up.

With `ahead`, the next page is asked on a worker thread as soon as its token is known, while
the rows before it are used: a chain of pages costs one round trip per page, not a round trip
plus the consumer's work, and several listings merged into one order (a CRM's activity
streams) wait for their pages side by side instead of in turn. The pages are the same, asked
in the same order; a consumer that stops early leaves at most one page asked in vain.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["every_row"]

T = TypeVar("T")
N = TypeVar("N")  # a next-page token


Paged = Callable[[N | None], tuple[Iterable[T], N | None]]


def every_row(page: Paged[N, T], *, ahead: bool = False) -> Iterator[T]:
    """The rows of every page, in order: `page` gives a page's rows and the next page's token (None
    or empty: the last page); the first page is asked with None. `ahead`: the next page is asked
    while this one's rows are used."""
    if not ahead:
        return _in_turn(page)
    return _ahead(page)


def _in_turn(page: Paged[N, T]) -> Iterator[T]:
    token: N | None = None
    while True:
        rows, token = page(token)
        yield from rows
        if not token:
            return


def _ahead(page: Paged[N, T]) -> Iterator[T]:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadsync-page") as worker:
        rows, token = page(None)
        while True:
            following: Future[tuple[Iterable[T], N | None]] | None = (
                worker.submit(contextvars.copy_context().run, page, token) if token else None
            )
            yield from rows
            if following is None:
                return
            rows, token = following.result()
