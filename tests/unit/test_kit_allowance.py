"""The kit's daily allowance: a count the CRM gave today stops the next call once none is left."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadsync.adapter_api import BudgetExhausted
from leadsync.clock import ManualClock
from leadsync.kit import DailyAllowance

SPENT = "toy: all {limit} calls of today are spent"


def test_no_count_yet_or_calls_left_stop_nothing() -> None:
    allowance = DailyAllowance(ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC)), spent=SPENT)
    allowance.check()
    allowance.counted(1000, 1)
    allowance.check()
    assert (allowance.used, allowance.limit) == (999, 1000)


def test_none_left_today_refuses_the_next_call_until_the_utc_day_changes() -> None:
    clock = ManualClock(datetime(2026, 11, 23, 23, 59, tzinfo=UTC))
    allowance = DailyAllowance(clock, spent=SPENT)
    allowance.counted(1000, 0)
    with pytest.raises(BudgetExhausted, match="toy: all 1000 calls of today are spent"):
        allowance.check()
    clock.advance(minutes=1)
    allowance.check()  # a new day: the count is yesterday's
