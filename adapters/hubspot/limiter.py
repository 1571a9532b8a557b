"""A client-side rate limiter for HubSpot: a rolling 10-s window for all calls, 1 s for search.

Time comes from the injected clock and waits go to the injected sleep. When that sleep does
not move the clock (a test's recorder), the limiter counts the waited time itself, so a
wait is never asked for twice and the admitted calls keep under the rate in either case.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from leadsync.adapter_api import Clock

__all__ = ["RateLimiter"]

_WINDOW_S = 10.0
_SEARCH_WINDOW_S = 1.0


class RateLimiter:
    """Waits before a call that would exceed the general or the search limit."""

    def __init__(
        self, *, per_ten_seconds: int, search_per_second: int, clock: Clock, sleep: Callable[[float], None]
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._limits = {False: (per_ten_seconds, _WINDOW_S), True: (search_per_second, _SEARCH_WINDOW_S)}
        self._windows: dict[bool, deque[float]] = {False: deque(), True: deque()}
        self._floor = 0.0  # the instant waits have reached, when sleeping does not move the clock

    def acquire(self, *, search: bool) -> None:
        """Block (through `sleep`) until one more call of this kind is within its limit, then count it."""
        limit, size = self._limits[search]
        window = self._windows[search]
        now = max(self._clock.now().timestamp(), self._floor)
        while window and window[0] <= now - size:
            window.popleft()
        if len(window) >= limit:
            wake = window[0] + size
            self._sleep(wake - now)
            now = self._floor = max(wake, self._clock.now().timestamp())
            while window and window[0] <= now - size:
                window.popleft()
        window.append(now)

    def saturate(self) -> None:
        """HubSpot says no call is left in its 10-s window (`X-HubSpot-RateLimit-Remaining: 0`):
        count the window as full from now, so the next call waits for its oldest call to leave."""
        limit, _ = self._limits[False]
        window = self._windows[False]
        now = max(self._clock.now().timestamp(), self._floor)
        while len(window) < limit:
            window.append(now)

    def day(self) -> str:
        """Today's date in UTC, by the injected clock (HubSpot's daily count resets with it)."""
        return self._clock.now().date().isoformat()

    def penalize(self, seconds: float) -> None:
        """After a 429 wait, count the waited time as passed."""
        self._floor = max(self._floor, self._clock.now().timestamp()) + seconds
