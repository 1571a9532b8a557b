"""The manual clock every test shares with the sandboxes and leadsync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from leadsync.clock import ManualClock

START = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_it_stands_still_until_moved_and_sleeping_moves_it_at_once() -> None:
    clock = ManualClock(START)
    assert clock.now() == clock.now() == START
    assert clock.advance(90, minutes=1) == START + timedelta(seconds=150)
    clock.sleep(2.5)
    assert clock.now() == START + timedelta(seconds=152.5)
    assert clock.slept == [2.5]  # only what was slept, not what was advanced


def test_it_refuses_a_naive_or_non_utc_start_and_a_step_back() -> None:
    with pytest.raises(ValueError, match="aware UTC"):
        ManualClock(datetime(2026, 11, 23, 12))  # noqa: DTZ001 - the mistake under test
    with pytest.raises(ValueError, match="aware UTC"):
        ManualClock(datetime(2026, 11, 23, 12, tzinfo=timezone(timedelta(hours=1))))
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="never goes back"):
        clock.advance(-1)
    assert clock.now() == START
