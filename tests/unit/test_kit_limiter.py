"""The kit's limiter: no window holds more calls than its limit, whoever asks, and few calls wait."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from leadsync.clock import ManualClock
from leadsync.kit import Limiter, RateLimit
from leadsync.kit.limiter import ARRIVAL_SPREAD_S

T0 = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _most_in_any_window(instants: list[float], window_s: float) -> int:
    ordered = sorted(instants)
    return max(sum(1 for t in ordered[i:] if t < start + window_s) for i, start in enumerate(ordered))


def test_a_burst_is_admitted_at_once_then_spaced_one_window_after_each_call() -> None:
    waits: list[float] = []
    limiter = Limiter(RateLimit(10, 10.0), clock=ManualClock(T0), sleep=waits.append)
    instants = [limiter.acquire() for _ in range(25)]
    back_after = 10.0 + ARRIVAL_SPREAD_S  # a margin for calls that reach the CRM unevenly late
    assert _most_in_any_window(instants, back_after) == 10
    assert waits[:1] == [pytest.approx(back_after)]  # the 11th call waits for the first to leave the window
    assert max(instants) - min(instants) == pytest.approx(2 * back_after)  # 25 calls: the third window


def test_a_kind_takes_from_its_own_bucket_and_the_default_one() -> None:
    limiter = Limiter(
        RateLimit(100, 10.0),
        kinds={"search": RateLimit(5, 1.0)},
        clock=ManualClock(T0),
        sleep=lambda _s: None,
    )
    searches = [limiter.acquire("search") for _ in range(12)]
    others = [limiter.acquire() for _ in range(3)]
    assert _most_in_any_window(searches, 1.0) == 5
    assert max(others) <= max(searches)  # other calls are not held back by the search allowance


def test_threads_sharing_one_limiter_keep_under_its_rate_together() -> None:
    limiter = Limiter(RateLimit(8, 10.0), clock=ManualClock(T0), sleep=lambda _s: None, in_flight=3)
    instants: list[float] = []
    lock = threading.Lock()
    inside, most_inside = 0, 0

    def calls() -> None:
        nonlocal inside, most_inside
        for _ in range(10):
            with limiter.slot() as counted_at:
                with lock:
                    inside += 1
                    most_inside = max(most_inside, inside)
                    instants.append(counted_at)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=calls) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(instants) == 40
    assert most_inside <= 3
    assert _most_in_any_window(instants, 10.0) <= 8


def test_a_saturated_window_holds_the_next_call_back_and_a_penalty_counts_as_time_passed() -> None:
    waits: list[float] = []
    limiter = Limiter(RateLimit(10, 10.0), clock=ManualClock(T0), sleep=waits.append)
    limiter.acquire()
    limiter.saturate()
    limiter.acquire()
    assert waits == [pytest.approx(10.0 + ARRIVAL_SPREAD_S)]
    limiter.penalize(30.0)
    assert limiter.acquire() >= T0.timestamp() + 40.0
