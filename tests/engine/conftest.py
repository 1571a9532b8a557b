"""Both CRM sandboxes, a state store and the real adapters: the engine end to end.

The cycle's clock is a test clock that starts at the seed instant; `Pipeline.sync` moves it
a minute on before each cycle, so what the previous cycle wrote (stamped by the sandboxes a
few seconds after the seed instant) falls inside the next cycle's window and is read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import ManualClock
from leadsync.config import Settings
from leadsync.connections import connect_all
from leadsync.definitions import Definitions, load_definitions
from leadsync.engine import CycleReport, SyncEngine
from leadsync.store import Store
from tests.store.conftest import postgres, store_url  # noqa: F401 - fixtures shared with the store tests

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
PEOPLE = 150


@dataclass
class Pipeline:
    """Two sandboxed CRMs, their config, a state store, and the engine over them."""

    salesforce: SalesforceSandbox
    hubspot: HubSpotSandbox
    raw: dict[str, Any]
    store: Store
    clock: ManualClock
    definitions: Definitions = field(default_factory=load_definitions)

    @property
    def settings(self) -> Settings:
        return Settings.model_validate(self.raw)

    def engine(self, definitions: Definitions | None = None) -> SyncEngine:
        """A fresh engine: new clients, so call counts are this engine's own."""
        settings = self.settings
        connections = connect_all(settings, clock=self.clock, sleep=self.clock.sleep)
        return SyncEngine(settings, self.store, connections, definitions or self.definitions, self.clock)

    def sync(
        self, *, minutes: float = 1, definitions: Definitions | None = None, **options: Any
    ) -> CycleReport:
        """Move the clock on, then run one cycle."""
        self.clock.advance(minutes=minutes)
        return self.engine(definitions).sync(**options)


MakePipeline = Callable[..., Pipeline]


@pytest.fixture
def make_pipeline(tmp_path: Path) -> Iterator[MakePipeline]:
    """Build a pipeline: `people`, [sync]/[guard]/per-CRM settings to merge into the config, and
    the HubSpot portal's tier."""
    opened: list[tuple[SalesforceSandbox, HubSpotSandbox, Store]] = []

    def make(
        people: int = PEOPLE,
        *,
        url: str | None = None,
        sync: dict[str, Any] | None = None,
        guard: dict[str, Any] | None = None,
        crm: dict[str, dict[str, Any]] | None = None,
        hubspot_tier: str = "enterprise",
    ) -> Pipeline:
        clock = ManualClock(NOW)
        salesforce = SalesforceSandbox(people=people, clock=clock).__enter__()
        hubspot = HubSpotSandbox(people=people, clock=clock, rate_limits=False, tier=hubspot_tier).__enter__()
        state = url or f"sqlite:///{tmp_path / 'state.db'}"
        extra = crm or {}
        raw: dict[str, Any] = {
            "sync": {"state_url": state, **(sync or {})},
            "guard": guard or {},
            "crm": {
                "salesforce": {
                    "adapter": "salesforce",
                    **salesforce.settings(),
                    **extra.get("salesforce", {}),
                },
                "hubspot": {"adapter": "hubspot", **hubspot.settings(), **extra.get("hubspot", {})},
            },
        }
        store = Store.open(state)
        opened.append((salesforce, hubspot, store))
        return Pipeline(salesforce, hubspot, raw, store, clock)

    yield make
    for salesforce, hubspot, store in opened:
        store.close()
        hubspot.__exit__(None, None, None)
        salesforce.__exit__(None, None, None)


@pytest.fixture
def pipeline(make_pipeline: MakePipeline) -> Pipeline:
    """A pipeline of 150 people on SQLite."""
    return make_pipeline()
