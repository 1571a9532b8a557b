"""HubSpot's API rate limits for a private app, on an injectable clock.

Checked against api-notes.md and real 429 bodies quoted in public code: a rolling 10-second
burst window (190 calls on Professional/Enterprise), a daily allowance, and a separate
per-second limit for CRM search (5/s), which is exempt from the 10-second window and whose
answers carry no `X-HubSpot-RateLimit-*` headers. Past a limit: 429 with `errorType:
RATE_LIMIT` and `policyName` TEN_SECONDLY_ROLLING, SECONDLY or DAILY. HubSpot does not
document `Retry-After`; the sandbox adds one only when `RateLimits.retry_after` asks.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

from leadsync.adapter_api import Clock

from .errors import rate_limited

__all__ = ["Limiter", "RateLimits", "refusal_headers"]

_WINDOW_S = 10.0
_SEARCH_WINDOW_S = 1.0


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The limits to enforce; defaults are a Professional/Enterprise private app's."""

    per_ten_seconds: int = 190
    search_per_second: int = 5
    daily: int = 1_000_000
    retry_after: bool = False


def refusal_headers(policy: str, limits: RateLimits) -> dict[str, str]:
    """The `X-HubSpot-RateLimit-*` headers of an injected 429: none left in the policy's window
    (none on a search's SECONDLY refusal, as search answers carry none)."""
    if policy == "DAILY":
        return {"X-HubSpot-RateLimit-Daily": str(limits.daily), "X-HubSpot-RateLimit-Daily-Remaining": "0"}
    if policy == "SECONDLY":
        return {}
    return {
        "X-HubSpot-RateLimit-Max": str(limits.per_ten_seconds),
        "X-HubSpot-RateLimit-Remaining": "0",
        "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(_WINDOW_S * 1000)),
    }


class Limiter:
    """Admits or refuses calls under `RateLimits`, thread-safe."""

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._burst: deque[float] = deque()
        self._searches: deque[float] = deque()
        self._day: tuple[str, int] = ("", 0)

    def admit(self, *, search: bool) -> dict[str, str]:
        """Count one call and return the headers its answer carries, or raise the 429 HubSpotApiError."""
        with self._lock:
            moment = self._clock.now()
            now_s = moment.timestamp()
            day, used_today = self._day
            if day != moment.date().isoformat():
                day, used_today = moment.date().isoformat(), 0
            if used_today >= self.limits.daily:
                raise rate_limited("DAILY", self._daily_headers(used_today))
            window, size, limit = (
                (self._searches, _SEARCH_WINDOW_S, self.limits.search_per_second)
                if search
                else (self._burst, _WINDOW_S, self.limits.per_ten_seconds)
            )
            while window and window[0] <= now_s - size:
                window.popleft()
            if len(window) >= limit:
                headers = {} if search else self._burst_headers(0, used_today)
                if self.limits.retry_after:
                    headers["Retry-After"] = str(max(1, math.ceil(window[0] + size - now_s)))
                raise rate_limited("SECONDLY" if search else "TEN_SECONDLY_ROLLING", headers)
            window.append(now_s)
            self._day = (day, used_today + 1)
            return {} if search else self._burst_headers(limit - len(window), used_today + 1)

    def _burst_headers(self, remaining: int, used_today: int) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Max": str(self.limits.per_ten_seconds),
            "X-HubSpot-RateLimit-Remaining": str(remaining),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(_WINDOW_S * 1000)),
            **self._daily_headers(used_today),
        }

    def _daily_headers(self, used_today: int) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.limits.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.limits.daily - used_today)),
        }
