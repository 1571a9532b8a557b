"""`HubSpotSandbox`: a seeded HubSpot account served on 127.0.0.1, with faults and a call log."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from leadsync.adapter_api import Clock
from leadsync.testing import ContractSandbox, collector_paused

from .app import TIERS, HubSpotApp
from .controls import HubSpotControls
from .limits import Limiter, RateLimits
from .records import seeded
from .search import SearchLimits
from .store import HubSpotStore

if TYPE_CHECKING:
    from hubspot import HubSpot

__all__ = ["HubSpotSandbox"]


class HubSpotSandbox(HubSpotControls):
    """A stateful HubSpot emulator that the unmodified `hubspot-api-client` talks to over HTTP.

    `clock` is the account's time (see `Sandbox`); it drives the limiter and write stamps too.
    `rate_limits` is True (HubSpot's Professional/Enterprise limits), False (none) or a
    `RateLimits`; `sleep` holds back a `timeout` fault's answer (tests pass a recorder); `tier`
    is the portal's subscription ("starter", "professional", "enterprise"): below Enterprise
    the events API answers 403 (api-notes, "Corrections, 2026-12").
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
        super().__init__(clock=clock, seed=seed, seeded_at=seeded_at)
        if tier not in TIERS:
            raise ValueError(f"HubSpotSandbox tier {tier!r} is not one of {', '.join(TIERS)}")
        self.access_token = f"pat-na1-5a4d6b00-0000-4000-8000-{seed:012d}"
        with collector_paused(people):
            self.store = HubSpotStore(
                seeded(self.population(people)),
                clock=clock,
                portal_id=20_000_000 + seed,
                search_limits=search_limits or SearchLimits(),
            )
        limits = RateLimits() if rate_limits is True else rate_limits or None
        self.limiter = Limiter(limits, clock) if limits else None
        self.app = HubSpotApp(
            self.store, token=self.access_token, limiter=self.limiter, stats=self.calls.snapshot, tier=tier
        )
        app = self.app
        self.serve(app, endpoint_of=app.endpoint_of, render_fault=app.render_fault, port=port, sleep=sleep)

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


if TYPE_CHECKING:  # mypy proves the sandbox offers every control the contract suite asks for
    _CONTRACT: type[ContractSandbox] = HubSpotSandbox
