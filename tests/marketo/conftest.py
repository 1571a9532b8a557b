"""Fixtures for the Marketo adapter tests: a sandbox and its adapter on one manual clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.marketo import MarketoAdapter, plugin
from adapters.marketo.sandbox import MarketoSandbox
from leadsync.adapter_api import AdapterContext
from leadsync.clock import ManualClock
from leadsync.mapping import CrmMapping, load_mapping
from leadsync.model import RecordRef

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
MAPPING = load_mapping(Path(plugin.default_mapping))


def lead(n: int) -> RecordRef:
    """The lead with id `n`, as the adapter names it."""
    return RecordRef("marketo", "lead", str(n))


@dataclass
class Instance:
    """A sandboxed Marketo instance and its clock (the adapters' waits move it)."""

    sandbox: MarketoSandbox
    clock: ManualClock

    def adapter(self, mapping: CrmMapping = MAPPING, **options: Any) -> MarketoAdapter:
        context = AdapterContext(
            "marketo", {**self.sandbox.settings(), **options}, mapping, self.clock, self.clock.sleep
        )
        return MarketoAdapter(context)


@pytest.fixture
def instance() -> Any:
    clock = ManualClock(NOW)
    with MarketoSandbox(120, seed=3, clock=clock) as sandbox:
        yield Instance(sandbox, clock)
