"""Work ahead: each item of a stream handed to a worker as it comes, the results taken in order.

A page of people needs a second call (their managed values) before it can be stored; sent
while the next pages are fetched, that call's wait overlaps theirs. At most `depth` items are
worked on ahead of the consumer, so memory stays flat; results come in the items' order.
Each worker runs in a copy of the consumer's context (the cycle's run id in its log events).
Closing the returned iterator early cancels what has not started and waits for the rest.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["worked_ahead"]

T = TypeVar("T")
R = TypeVar("R")


def worked_ahead(items: Iterable[T], work: Callable[[T], R], *, depth: int) -> Generator[R, None, None]:
    """`work(item)` for each item in order, up to `depth` of them running ahead on worker threads."""
    pool = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="leadsync-ahead")
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(contextvars.copy_context().run, work, item))
            if len(pending) > depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
