"""The one place leadsync reads the wall clock, and the clock that moves only when told."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """Something that tells the current UTC time; tests pass a `ManualClock`."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved: tests share one between sandboxes and leadsync.

    Nothing that reads it depends on today's date. `sleep` moves it instead of waiting, so
    an adapter given it as its sleep spends no real time on retries and throttles; `slept`
    lists those waits, in order.
    """

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() != timedelta(0):
            raise ValueError(f"ManualClock needs an aware UTC start, got {start!r}")
        self._moment = start
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> datetime:
        """The instant the clock was last moved to."""
        return self._moment

    def advance(self, seconds: float = 0.0, /, **parts: float) -> datetime:
        """Move on by `seconds` and/or timedelta keyword parts (`minutes=1`); the new instant."""
        step = timedelta(seconds=seconds) + timedelta(**parts)
        if step < timedelta(0):
            raise ValueError(f"a clock never goes back; got a step of {step}")
        with self._lock:
            self._moment += step
            return self._moment

    def sleep(self, seconds: float) -> None:
        """Move on by `seconds`, at once, and note the wait in `slept`."""
        self.slept.append(seconds)
        self.advance(seconds)
