"""Every adapter registered under `leadsync.adapters`, connected to its sandbox.

The contract suite runs once per entry point, like the Singer SDK's standard tap tests:
a third-party adapter that ships a sandbox runs it too. What differs between CRMs (how
the sandbox rejects a record, which fault is that CRM's rate limit and what the adapter
must do about it) is the small `Dialect` table below — the only CRM knowledge here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.sandbox_server import Fault
from leadsync.adapter_api import Adapter, AdapterContext, AdapterPlugin
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from leadsync.registry import ADAPTERS, SANDBOXES, load_plugin, plugin_names

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
PEOPLE = 2500
PAGE_SIZE = 200


@dataclass(frozen=True)
class Dialect:
    """How one CRM's sandbox is driven by the contract tests."""

    reject: Callable[[Any, str], None]  # make the sandbox refuse writes to one record id
    rate_limit: Fault  # that CRM's rate-limit answer
    sandbox_options: dict[str, Any] = field(default_factory=dict)


DIALECTS = {
    "salesforce": Dialect(
        reject=lambda box, record_id: box.store.reject_on_save(record_id),
        rate_limit=Fault("request_limit"),
    ),
    "hubspot": Dialect(
        reject=lambda box, record_id: box.store.reject_writes(record_id),
        rate_limit=Fault("rate_limit", headers={"Retry-After": "2"}),
        # The adapter's waits are recorded, not slept, and the shared clock stands still: the
        # sandbox's own limiter would refuse a burst the adapter's limiter believes it spaced out.
        sandbox_options={"rate_limits": False},
    ),
}


@dataclass
class Sandboxed:
    """An adapter talking to its own sandbox, with the waits it asked for."""

    name: str
    sandbox: Any
    plugin: AdapterPlugin
    dialect: Dialect
    clock: ManualClock
    waits: list[float] = field(default_factory=list)

    def adapter(self, **options: Any) -> Adapter:
        """A fresh adapter (fresh call counts) with the sandbox's settings plus `options`."""
        context = AdapterContext(
            name=self.name,
            options={**self.sandbox.settings(), "page_size": PAGE_SIZE, **options},
            mapping=load_mapping(self.plugin.default_mapping),
            clock=self.clock,
            sleep=self.waits.append,
        )
        return self.plugin.create(context)


@pytest.fixture(params=plugin_names(ADAPTERS), scope="module")
def crm(request: pytest.FixtureRequest) -> Iterator[Sandboxed]:
    name = request.param
    plugin = load_plugin(ADAPTERS, name)
    assert isinstance(plugin, AdapterPlugin)
    sandbox_class: Any = load_plugin(SANDBOXES, name)
    dialect = DIALECTS[name]
    clock = ManualClock(NOW)  # one clock: the sandbox stamps its saves by the cycle's time
    with sandbox_class(people=PEOPLE, seed=7, clock=clock, **dialect.sandbox_options) as sandbox:
        yield Sandboxed(name, sandbox, plugin, dialect, clock)
