"""A CRM's call budget, shared by all its streams: token buckets and a cap on calls in flight.

Each `RateLimit` is a bucket of `calls` tokens in which a spent token comes back one window
after it was spent: so no window of `window_s` seconds ever holds more than `calls` calls,
which is what rolling-window APIs count (HubSpot's TEN_SECONDLY_ROLLING, Marketo's 100 per
20 s) and is safe for fixed windows too. The CRM counts arrivals, not our departures, and a
busy process or network delays some calls more than others: a token comes back
`ARRIVAL_SPREAD_S` after its window, or the sixth of five searches a second arrives inside the
first one's second (measured: 12 429s, each a second's wait, in a 10k-person cycle at 100 ms).
A call takes a token from the default bucket and from the bucket of its kind, if any (HubSpot's
search allowance). Several threads may ask at once:
each reserves the earliest instant both buckets allow, under a lock, and waits outside it, so
calls stay spaced while several are in flight (at most `in_flight`, Marketo's concurrency cap).

Time comes from the injected clock and waits go to the injected sleep. When that sleep does not
move the clock (a test's recorder), the limiter counts the waited time itself, so a wait is
never asked for twice and the admitted calls keep under the rate in either case.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from leadsync.clock import Clock

__all__ = ["ARRIVAL_SPREAD_S", "Limiter", "RateLimit"]

ARRIVAL_SPREAD_S: Final = 0.1


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `calls` calls in any `window_s` seconds."""

    calls: int
    window_s: float


class _Bucket:
    """The instants the last `calls` tokens were spent at: the oldest comes back first."""

    __slots__ = ("limit", "spent")

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self.spent: deque[float] = deque()

    def free_at(self, now: float) -> float:
        """The earliest instant from `now` a token is free."""
        back_after = self.limit.window_s + ARRIVAL_SPREAD_S
        while self.spent and self.spent[0] <= now - back_after:
            self.spent.popleft()
        if len(self.spent) < self.limit.calls:
            return now
        return self.spent[-self.limit.calls] + back_after

    def take(self, at: float) -> None:
        self.spent.append(at)


class Limiter:
    """Spaces one CRM's calls under its rate limits; every stream of the CRM shares it."""

    def __init__(
        self,
        default: RateLimit,
        *,
        clock: Clock,
        sleep: Callable[[float], None],
        kinds: Mapping[str, RateLimit] | None = None,
        in_flight: int = 1,
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._default = _Bucket(default)
        self._kinds = {kind: _Bucket(limit) for kind, limit in (kinds or {}).items()}
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(in_flight)
        self.at_once = in_flight
        """The cap on calls in flight: how many independent calls are worth sending together."""
        self._floor = 0.0  # the instant waits have reached, when sleeping does not move the clock

    @contextmanager
    def slot(self, kind: str | None = None) -> Iterator[float]:
        """Hold one call's place: wait for a free slot and its tokens; the call runs inside (the
        instant it was counted at is given)."""
        with self._in_flight:
            yield self.acquire(kind)

    def acquire(self, kind: str | None = None) -> float:
        """Wait (through `sleep`) until one more call of `kind` keeps within every limit, and count it;
        returns the instant (epoch seconds) the call is counted at."""
        buckets = [self._default, *([self._kinds[kind]] if kind in self._kinds else [])]
        with self._lock:
            now = self._now()
            at = now
            while (free := max(bucket.free_at(at) for bucket in buckets)) > at:
                at = free
            for bucket in buckets:
                bucket.take(at)
            self._floor = max(self._floor, at)
        if at > now:
            self._sleep(at - now)
        return at

    def saturate(self) -> None:
        """The CRM says no call is left in its window: count the default window as full from now."""
        with self._lock:
            now = self._now()
            bucket = self._default
            bucket.free_at(now)
            while len(bucket.spent) < bucket.limit.calls:
                bucket.take(now)

    def penalize(self, seconds: float) -> None:
        """After a wait the CRM asked for (a 429's Retry-After), count the waited time as passed."""
        with self._lock:
            self._floor = self._now() + seconds

    def _now(self) -> float:
        return max(self._clock.now().timestamp(), self._floor)
