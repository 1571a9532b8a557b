"""Calls sent together: answers in order, a cap on those in flight, a failure stops the rest."""

from __future__ import annotations

import threading

import pytest
import structlog

from leadsync.kit import fan_out

_PATIENCE_S = 10.0  # a safety net for a broken implementation, never reached when it works


def test_answers_come_in_the_order_asked_while_the_calls_overlap() -> None:
    together = threading.Barrier(3, timeout=_PATIENCE_S)  # passes only with three calls in flight

    def send(n: int) -> int:
        together.wait()
        return n * n

    assert fan_out(send, [1, 2, 3, 4, 5, 6], at_once=3) == [1, 4, 9, 16, 25, 36]


def test_no_more_than_at_once_calls_are_in_flight() -> None:
    lock, running, most = threading.Lock(), [0], [0]
    first_two = threading.Barrier(2, timeout=_PATIENCE_S)

    def send(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        if n < 2:
            first_two.wait()
        with lock:
            running[0] -= 1
        return n

    assert fan_out(send, list(range(20)), at_once=2) == list(range(20))
    assert most[0] == 2


def test_a_failure_is_raised_in_order_and_the_calls_not_started_never_run() -> None:
    started: list[int] = []

    def send(n: int) -> int:
        started.append(n)
        if n == 1:
            raise ValueError("refused")
        return n

    with pytest.raises(ValueError, match="refused"):
        fan_out(send, list(range(50)), at_once=2)
    assert len(started) < 50


def test_one_at_once_is_a_plain_loop_on_the_callers_thread() -> None:
    caller = threading.get_ident()
    assert fan_out(lambda n: (n, threading.get_ident()), [1, 2], at_once=1) == [(1, caller), (2, caller)]


def test_each_call_carries_the_callers_log_context() -> None:
    with structlog.contextvars.bound_contextvars(run_id="r1"):
        seen = fan_out(lambda _: structlog.contextvars.get_contextvars().get("run_id"), [1, 2, 3], at_once=3)
    assert seen == ["r1", "r1", "r1"]
