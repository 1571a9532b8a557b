"""Fixtures for the Pipedrive adapter tests: a sandbox and its adapter on one manual clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.pipedrive import PipedriveAdapter, plugin
from adapters.pipedrive.sandbox import PipedriveSandbox
from leadsync.adapter_api import AdapterContext
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
MAPPING = load_mapping(Path(plugin.default_mapping))


@dataclass
class Company:
    """A sandboxed company, its clock, and the waits its adapters asked for."""

    sandbox: PipedriveSandbox
    clock: ManualClock
    waits: list[float] = field(default_factory=list)

    def adapter(self, **options: Any) -> PipedriveAdapter:
        def sleep(seconds: float) -> None:
            self.waits.append(seconds)
            self.clock.advance(seconds)

        context = AdapterContext(
            "pipedrive", {**self.sandbox.settings(), **options}, MAPPING, self.clock, sleep
        )
        return PipedriveAdapter(context)


@pytest.fixture
def company() -> Any:
    clock = ManualClock(NOW)
    with PipedriveSandbox(120, seed=3, clock=clock) as sandbox:
        yield Company(sandbox, clock)
