"""The company's limits: budget tokens per UTC day and calls per API token in a rolling 2-second window.

A daily-budget 429 keeps `x-ratelimit-remaining` above 0 while a burst 429 shows 0 (Pipedrive
documents no header that tells them apart); the budget is per UTC day (Pipedrive's resets at the
server's unnamed midnight). Both read the sandbox's clock.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from werkzeug.wrappers import Response

from leadsync.clock import Clock

from . import shapes

__all__ = ["BURST_S", "OAUTH_BURST", "TokenAccounting", "too_many"]

BURST_S: Final = 2.0
OAUTH_BURST: Final = 4  # an OAuth app's window holds 4 times an API token's (Ultimate: 480 against 120)


class TokenAccounting:
    """Counts each call's tokens against `daily_tokens` and its arrival in the burst window."""

    clock: Clock
    daily_tokens: int
    tokens_spent: int
    burst: int  # calls an API token may make in the window
    _day: str
    _recent: deque[float]

    def set_limits(self, daily_tokens: int, burst: int) -> None:
        """Start counting against a budget of `daily_tokens` and `burst` calls per API token's window."""
        self.daily_tokens, self.tokens_spent, self.burst = daily_tokens, 0, burst
        self._day, self._recent = "", deque[float]()

    def limited(self, cost: int, burst: int) -> Response | None:
        """A 429 past the burst window or the day's budget; else the call is counted."""
        now = self.clock.now()
        if now.date().isoformat() != self._day:
            self._day, self.tokens_spent = now.date().isoformat(), 0
        while self._recent and self._recent[0] <= now.timestamp() - BURST_S:
            self._recent.popleft()
        left = burst - len(self._recent)
        if left <= 0:
            return too_many(burst, 0, "the 2-second window's calls are spent")
        if self.tokens_spent + cost > self.daily_tokens:
            return too_many(burst, left, "the company's daily token budget is spent")
        self._recent.append(now.timestamp())
        self.tokens_spent += cost
        return None


def too_many(limit: int, remaining: int, why: str) -> Response:
    """A 429 with the burst window's headers (rate-limiting page: x-ratelimit-limit/-remaining/-reset)."""
    headers = {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": "2",
    }
    return shapes.error(429, f"Request over limit: {why}", "Please check developers.pipedrive.com", headers)
