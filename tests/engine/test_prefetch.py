"""Read-ahead: the same items in the same order, errors where a plain loop raises them, early close."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from leadsync.engine.prefetch import prefetched


def test_items_come_in_order_from_one_other_thread() -> None:
    threads: set[str] = set()

    def numbers() -> Iterator[int]:
        for n in range(50):
            threads.add(threading.current_thread().name)
            yield n

    assert list(prefetched(numbers())) == list(range(50))
    assert threads == {"prefetch"}


def test_an_error_is_raised_after_the_items_before_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise TimeoutError("the CRM did not answer")

    items = prefetched(failing())
    assert [next(items), next(items)] == [1, 2]
    with pytest.raises(TimeoutError, match="did not answer"):
        next(items)


def test_closing_early_stops_the_worker_one_item_ahead_at_most() -> None:
    asked: list[int] = []
    finished = threading.Event()

    def counted() -> Iterator[int]:
        try:
            for n in range(1_000):
                asked.append(n)
                yield n
        finally:
            finished.set()

    items = prefetched(counted())
    assert [next(items), next(items)] == [0, 1]
    items.close()
    assert finished.is_set()  # the stream was closed, on its own thread, before close returned
    assert len(asked) <= 4  # two taken, one queued, one in hand: never the whole stream
    assert not any(t.name == "prefetch" for t in threading.enumerate())


def test_an_empty_stream_ends_at_once() -> None:
    assert list(prefetched(iter(()))) == []
