"""`HubSpotSandbox`: a seeded HubSpot account served on 127.0.0.1, with faults and a call log."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from adapters.sandbox_server import CallLog, Faults, LoopbackServer, with_accounting
from adapters.seed import population, seed_instant
from leadsync.adapter_api import Clock

from .app import HubSpotApp
from .limits import Limiter, RateLimits
from .records import seeded
from .search import SearchLimits
from .store import HubSpotStore

if TYPE_CHECKING:
    from hubspot import HubSpot

__all__ = ["HubSpotSandbox"]

_TIERS = ("free", "starter", "professional", "enterprise")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Seeding makes millions of objects that all live on: cyclic GC passes over them are wasted time.

    One collection at the end moves them to the oldest generation at start-up, rather than
    during the first requests (100k people: ~0.9 s once, instead of ~1.5 s spread over them).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


class HubSpotSandbox:
    """A stateful HubSpot emulator that the unmodified `hubspot-api-client` talks to over HTTP.

    `clock` is the account's time: the population's "today" is its instant at start-up (to
    the millisecond, kept as `now`), and it drives the limiter and write stamps, so tests
    share one `ManualClock` with leadsync and move time by hand; `rate_limits` is True
    (HubSpot's Professional/Enterprise limits), False (none) or a `RateLimits`;
    `sleep` holds back a `timeout` fault's answer (tests pass a recorder); `tier` is the portal's
    subscription ("starter", "professional", "enterprise"): below Enterprise the events API
    answers 403 (api-notes, "Corrections, 2026-12").
    """

    def __init__(
        self,
        people: int = 1000,
        seed: int = 7,
        *,
        clock: Clock,
        rate_limits: bool | RateLimits = True,
        port: int = 0,
        search_limits: SearchLimits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        tier: str = "enterprise",
        seeded_at: datetime | None = None,
    ) -> None:
        started = time.perf_counter()
        self.clock = clock
        moment = seed_instant(clock.now(), seeded_at)
        self.seed, self.people, self.now = seed, people, moment
        self.access_token = f"pat-na1-5a4d6b00-0000-4000-8000-{seed:012d}"
        with _collector_paused():
            self.store = HubSpotStore(
                seeded(population(people, seed, now=moment)),
                clock=self.clock,
                portal_id=20_000_000 + seed,
                search_limits=search_limits or SearchLimits(),
            )
        limits = RateLimits() if rate_limits is True else rate_limits or None
        self.limiter = Limiter(limits, self.clock) if limits else None
        self.faults = Faults(seed)
        self.calls = CallLog()
        if tier not in _TIERS:
            raise ValueError(f"HubSpotSandbox tier {tier!r} is not one of {', '.join(_TIERS)}")
        self.tier = tier
        app = HubSpotApp(
            self.store, token=self.access_token, limiter=self.limiter, stats=self.calls.snapshot, tier=tier
        )
        wsgi = with_accounting(
            app,
            self.calls,
            self.faults,
            endpoint_of=app.endpoint_of,
            render_fault=app.render_fault,
            sleep=sleep,
        )
        self._server = LoopbackServer(wsgi, tls=False, port=port)
        self.seed_s = time.perf_counter() - started
        self.startup_s = self.seed_s

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:53211."""
        return self._server.url

    @property
    def credentials(self) -> dict[str, str]:
        """What a client needs: `base_url` and the private-app `access_token` (a throwaway one)."""
        return {"base_url": self.url, "access_token": self.access_token}

    def settings(self) -> dict[str, Any]:
        """The connection settings `leadsync sandbox` prints."""
        return dict(self.credentials)

    def client(self, **options: object) -> HubSpot:
        """A ready `hubspot.HubSpot` client for this sandbox (`options` go to its constructor)."""
        from hubspot import HubSpot  # noqa: PLC0415 - imported on use: the client package is slow to import

        return HubSpot(access_token=self.access_token, host=self.url, **options)

    def start(self) -> HubSpotSandbox:
        """Serve in the background."""
        started = time.perf_counter()
        self._server.start()
        self.startup_s = self.seed_s + time.perf_counter() - started
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> HubSpotSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
