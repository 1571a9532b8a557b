"""Fixtures: one seeded Salesforce sandbox per module and adapters built against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.salesforce import SalesforceAdapter, create, plugin
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.adapter_api import AdapterContext
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
MAPPING = load_mapping(plugin.default_mapping)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(people=3000, seed=7, clock=ManualClock(NOW)) as started:
        yield started


MakeAdapter = Callable[..., SalesforceAdapter]


@pytest.fixture
def make_adapter(sandbox: SalesforceSandbox) -> Iterator[MakeAdapter]:
    def make(*, sleep: Callable[[float], None] | None = None, mapping: Any = MAPPING, **options: Any):
        # No lookback: these tests pin the exact cursor; the lookback has tests of its own.
        settings: dict[str, Any] = {**sandbox.settings(), "page_size": 200, "lookback_s": 0, **options}
        context = AdapterContext(
            name="sf", options=settings, mapping=mapping, clock=sandbox.clock,
            sleep=sleep or (lambda _s: None),
        )  # fmt: skip
        return create(context)

    yield make
    sandbox.faults.clear()


def mapping_path() -> Path:
    return plugin.default_mapping
