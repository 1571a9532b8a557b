"""The sandbox org's time: it starts at the seed instant and runs forward with the machine."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

__all__ = ["SandboxClock"]


class SandboxClock:
    """Now, for stamps and formulas: `start` plus the monotonic time elapsed since creation.

    Writes must stamp after the seeded data (seeded at or before `start`), whatever the
    machine's wall clock says, so the org's time never goes backwards and never lags `start`.
    """

    def __init__(self, start: datetime) -> None:
        if start.utcoffset() is None:
            raise ValueError(f"the sandbox clock needs an aware UTC start, got {start!r}")
        self._start = start
        self._origin = time.monotonic()

    @property
    def start(self) -> datetime:
        """The instant the sandbox was seeded at."""
        return self._start

    def now(self) -> datetime:
        """The org's current instant (aware UTC)."""
        return self._start + timedelta(seconds=time.monotonic() - self._origin)
