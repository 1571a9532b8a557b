"""Read ahead: the next page of a stream is fetched while the current one is stored.

A CRM's answer is mostly waiting (its servers, the network) and the store's work is mostly
ours: overlapping them takes the wait off the cycle. One page at most is held ahead, so
memory stays flat; the stream's iterator runs on one worker thread only, in its own order,
so its calls are the ones a plain loop makes. Storing a page may call the same adapter
meanwhile (people's managed values): adapters take calls from several threads at once.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Generator, Iterable
from typing import Final, Generic, TypeVar

__all__ = ["prefetched"]

T = TypeVar("T")
_AHEAD: Final = 1
_POLL_S: Final = 0.1


class _End(Generic[T]):
    """The last item a worker hands over: how its iterator ended."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def prefetched(items: Iterable[T]) -> Generator[T, None, None]:
    """`items`, each taken from a worker thread one step ahead of the consumer.

    The worker's exception is raised where the plain loop would have raised it (after the items
    before it). Closing the returned iterator early stops the worker before its next item.
    """
    handed: queue.Queue[T | _End[T]] = queue.Queue(maxsize=_AHEAD)
    closed = threading.Event()
    # The worker runs in a copy of this context: its log events carry the cycle's run id.
    context = contextvars.copy_context()
    worker = threading.Thread(
        target=context.run, args=(_fill, items, handed, closed), name="prefetch", daemon=True
    )
    worker.start()
    try:
        while not isinstance(item := handed.get(), _End):
            yield item
        if item.error is not None:
            raise item.error
    finally:
        closed.set()
        worker.join()


def _fill(items: Iterable[T], handed: queue.Queue[T | _End[T]], closed: threading.Event) -> None:
    iterator = iter(items)
    end: _End[T] = _End()
    try:
        for item in iterator:
            if not _put(handed, item, closed):
                return
    except BaseException as exc:  # noqa: BLE001 - handed over, raised again by the consumer
        end = _End(exc)
    finally:
        if isinstance(iterator, Generator):
            iterator.close()  # on this thread, the one that ran it
    _put(handed, end, closed)


def _put(handed: queue.Queue[T | _End[T]], item: T | _End[T], closed: threading.Event) -> bool:
    """Hand `item` over once there is room; False when the consumer has gone."""
    while not closed.is_set():
        try:
            handed.put(item, timeout=_POLL_S)
        except queue.Full:
            continue
        return True
    return False
