"""The rows of the last few people pages read, kept so their managed values need no second call.

A people read that also asks for the written fields holds, in each row, what `read_current`
would ask the CRM for next. The engine asks for a page's values a few pages after the read
(pages are fetched ahead of storing, on other threads), so the rows of the last `pages`
pages are kept by record id, each handed out once; older ones are dropped (memory stays flat)
and a record not found is read from the CRM as before.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Final, Generic, TypeVar

__all__ = ["RecentRows"]

T = TypeVar("T")
_PAGES: Final = 8  # well above the pages the engine reads ahead of storing


class RecentRows(Generic[T]):
    """Rows by record id, of the last few pages; safe to use from several threads."""

    def __init__(self, pages: int = _PAGES) -> None:
        self._pages: deque[dict[str, T]] = deque(maxlen=pages)
        self._lock = threading.Lock()

    def keep(self, rows: Mapping[str, T]) -> None:
        """Keep one page's rows (the oldest page kept is dropped when there are `pages`)."""
        with self._lock:
            self._pages.append(dict(rows))

    def take(self, ids: Iterable[str]) -> dict[str, T]:
        """The kept rows of these records (the latest read of each), each handed out once."""
        found: dict[str, T] = {}
        with self._lock:
            for record_id in ids:
                for page in reversed(self._pages):
                    if record_id in page:
                        found[record_id] = page.pop(record_id)
                        break
        return found

    def clear(self) -> None:
        """Forget every kept row (a new read starts)."""
        with self._lock:
            self._pages.clear()
