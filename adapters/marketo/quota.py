"""The daily call quota as leadsync counts it: Marketo sends no header that says what is left.

The quota resets at midnight US Central time (best-practices page: "resets daily at 12:00AM CST");
the count is kept per day in UTC-6. A call that would pass leadsync's share is not sent:
`BudgetExhausted` ends the cycle and the next one resumes from the same cursor. Marketo's own
607 ("Daily quota reached") marks the day spent.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Final

from leadsync.adapter_api import BudgetExhausted, Clock

__all__ = ["CallQuota"]

_CST: Final = timedelta(hours=-6)


class CallQuota:
    """Calls made today out of `allowed`."""

    def __init__(self, clock: Clock, allowed: int) -> None:
        self._clock, self.allowed = clock, allowed
        self.spent, self._day, self._lock = 0, "", threading.Lock()

    def spend(self) -> None:
        """Count one call; `BudgetExhausted` (nothing sent) past the day's share."""
        with self._lock:
            self._roll()
            if self.spent >= self.allowed:
                raise BudgetExhausted(
                    f"the day's Marketo call quota share ({self.allowed} calls) is spent; resumed after "
                    "midnight US Central time"
                )
            self.spent += 1

    def exhausted(self) -> None:
        """Marketo answered 607: the subscription's quota is spent, by us or another integration."""
        with self._lock:
            self._roll()
            self.spent = self.allowed

    def _roll(self) -> None:
        day = (self._clock.now() + _CST).date().isoformat()
        if day != self._day:
            self.spent, self._day = 0, day
