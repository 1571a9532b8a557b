"""Independent calls sent together: at most `at_once` in flight, the answers in the order asked.

A CRM answers mostly by waiting (its servers, the network), so batches that do not depend on
each other (the writes of one flush, the CRMs of one cycle) are sent side by side; the CRM's
`Limiter` still spaces them under its rate limits and its cap on calls in flight. Each task
runs in a copy of the caller's context, so its log events carry the cycle's run id.

When a task raises, the tasks not started yet are never started, those running finish, and
the first exception in the order asked is raised: the caller acts as if a plain loop had
stopped there (what the finished tasks sent is settled the way a crash's would be).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["fan_out"]

T = TypeVar("T")
R = TypeVar("R")


def fan_out(send: Callable[[T], R], items: Sequence[T], *, at_once: int) -> list[R]:
    """`[send(item) for item in items]`, with up to `at_once` sends running at a time."""
    if at_once <= 1 or len(items) <= 1:
        return [send(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(at_once, len(items)), thread_name_prefix="leadsync-send") as pool:
        futures: list[Future[R]] = [pool.submit(contextvars.copy_context().run, send, item) for item in items]
        for future in futures:
            future.add_done_callback(lambda done: _cancel_rest(done, futures))
        return [future.result() for future in futures]


def _cancel_rest(done: Future[R], futures: Sequence[Future[R]]) -> None:
    if not done.cancelled() and done.exception() is not None:
        for future in futures:
            future.cancel()  # only those not started yet
