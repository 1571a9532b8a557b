"""The daily token budget as leadsync counts it: Pipedrive sends no header that says what is left.

Each operation costs the tokens its OpenAPI spec names (`x-token-cost`); the company's budget
resets at midnight in the server's time zone, which Pipedrive does not name, so the count is kept
per UTC day. Before a call whose cost would pass leadsync's share of the day's budget, nothing is
sent: `BudgetExhausted` ends the cycle and the next cycle resumes from the same cursor.
"""

from __future__ import annotations

import threading

from leadsync.adapter_api import BudgetExhausted, Clock

__all__ = ["TokenBudget"]


class TokenBudget:
    """Tokens spent today out of `allowed` (leadsync's share of the company's daily budget)."""

    def __init__(self, clock: Clock, allowed: int) -> None:
        self._clock, self.allowed = clock, allowed
        self.spent, self._day, self._lock = 0, "", threading.Lock()

    def left(self) -> int:
        """Tokens left today."""
        with self._lock:
            self._roll()
            return self.allowed - self.spent

    def spend(self, cost: int) -> None:
        """Count one call's `cost`; `BudgetExhausted` (nothing sent) when it would pass the share."""
        with self._lock:
            self._roll()
            if self.spent + cost > self.allowed:
                raise BudgetExhausted(
                    f"the day's Pipedrive token budget share ({self.allowed} tokens) is spent; "
                    "resumed after midnight"
                )
            self.spent += cost

    def exhausted(self) -> None:
        """Pipedrive said the company's budget is spent (a 429 after the day's tokens ran out)."""
        with self._lock:
            self._roll()
            self.spent = self.allowed

    def _roll(self) -> None:
        today = self._clock.now().date().isoformat()
        if today != self._day:
            self.spent, self._day = 0, today
