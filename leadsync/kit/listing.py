"""A listing read whole: each page asked with the next-page token the page before gave, until none.

List endpoints page by an opaque token: HubSpot's `paging.next.after`, Pipedrive's
`additional_data.next_cursor`, Marketo's and Account Engagement's `nextPageToken`. Only a
missing token ends a listing: a page may be short, or empty, and still go on. Pages are asked
lazily, one when the rows of the one before are used up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["every_row"]

T = TypeVar("T")
N = TypeVar("N")  # a next-page token


def every_row(page: Callable[[N | None], tuple[Iterable[T], N | None]]) -> Iterator[T]:
    """The rows of every page, in order: `page` gives a page's rows and the next page's token (None
    or empty: the last page); the first page is asked with None."""
    token: N | None = None
    while True:
        rows, token = page(token)
        yield from rows
        if not token:
            return
