"""Fixtures for the HubSpot adapter tests: sandboxes on a fixed clock, adapters built through the plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.hubspot import plugin
from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.adapter_api import AdapterContext
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from tests.sandbox.hubspot_helpers import NOW

MAPPING = load_mapping(Path(plugin.default_mapping))


def adapter_for(sandbox, *, clock=None, sleep=None, mapping=MAPPING, **options):
    context = AdapterContext(
        name="hubspot",
        options={**sandbox.settings(), **options},
        mapping=mapping,
        clock=clock or ManualClock(NOW),
        sleep=sleep or (lambda _s: None),
    )
    return plugin.create(context)


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=1500, seed=5, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox
