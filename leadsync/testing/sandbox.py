"""`Sandbox`: what every CRM sandbox shares, so a new one is its API's routes, shapes and store.

A subclass builds its store from `population(people)`, hands its WSGI app to `serve` and says
how a client connects (`settings`); this base keeps the clock and the seed instant, the faults,
the call log and the loopback server, and starts and stops it as a context manager.
"""

from __future__ import annotations

import gc
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from leadsync.clock import Clock
from leadsync.testing.sandbox_server import CallLog, Fault, Faults, LoopbackServer, with_accounting
from leadsync.testing.seed import Population, population, seed_instant

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["Sandbox", "collector_paused"]


_COLLECT_FROM_PEOPLE = 10_000


@contextmanager
def collector_paused(people: int) -> Iterator[None]:
    """Seeding makes millions of objects that all live on: cyclic GC passes over them are wasted time.

    From `_COLLECT_FROM_PEOPLE` people on, one collection at the end moves them to the oldest
    generation at start-up rather than during the first requests (100k people: ~0.9 s once,
    instead of ~1.5 s spread over them). Below, that full collection costs more than it saves:
    it walks the whole process, and a test session starts hundreds of small sandboxes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if people >= _COLLECT_FROM_PEOPLE:
                gc.collect()


class Sandbox(ABC):
    """A seeded CRM emulator on 127.0.0.1, with its faults, call log and clock; use it as a context manager.

    `clock` is the CRM's time: the population is seeded up to its instant at construction (to
    the millisecond, kept as `now`), or up to `seeded_at`, one instant several sandboxes share
    so that they hold the same people; tests share one `ManualClock` with leadsync.
    `latency_s` holds every answer back that long, as a real CRM's round trip would
    (`leadsync demo --latency-ms`); it may be set at any time.
    """

    def __init__(self, *, clock: Clock, seed: int, seeded_at: datetime | None = None) -> None:
        self.clock, self.seed = clock, seed
        self.latency_s = 0.0
        self.now = seed_instant(clock.now(), seeded_at)
        self.faults = Faults(seed)
        self.calls = CallLog()
        self._server: LoopbackServer | None = None

    def population(self, people: int) -> Population:
        """The seeded people, owners and activities this sandbox's store is built from."""
        return population(people, self.seed, now=self.now)

    def serve(
        self,
        app: WSGIApplication,
        *,
        endpoint_of: Callable[[str, str], str],
        render_fault: Callable[[Fault, WSGIEnvironment, StartResponse], Iterable[bytes]],
        tls: bool = False,
        port: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Serve `app` once started: each call counted under `endpoint_of`, drawn faults answered instead."""
        wrapped = with_accounting(
            app, self.calls, self.faults, endpoint_of=endpoint_of, render_fault=render_fault, sleep=sleep,
            latency_s=lambda: self.latency_s,
        )  # fmt: skip
        self._server = LoopbackServer(wrapped, tls=tls, port=port)

    @property
    def server(self) -> LoopbackServer:
        """The loopback server `serve` set up."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} serves nothing: its __init__ must call serve()")
        return self._server

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:53211."""
        return self.server.url

    @abstractmethod
    def settings(self) -> dict[str, Any]:
        """The connection settings a client (and `leadsync sandbox`) needs, throwaway credentials included."""

    def start(self) -> Self:
        """Serve in the background."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
