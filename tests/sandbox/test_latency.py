"""`latency_s`: every counted answer of a sandbox held back as a real CRM's round trip would be."""

from __future__ import annotations

import requests

from adapters.hubspot.sandbox import HubSpotSandbox
from leadsync.clock import ManualClock

from .hubspot_helpers import NOW


def test_each_counted_call_waits_the_latency_and_sandbox_calls_do_not() -> None:
    waits: list[float] = []
    with HubSpotSandbox(
        people=20, seed=3, clock=ManualClock(NOW), rate_limits=False, sleep=waits.append
    ) as box:
        headers = {"Authorization": f"Bearer {box.access_token}"}
        requests.get(f"{box.url}/crm/v3/owners", headers=headers, timeout=10)
        assert waits == []  # none by default
        box.latency_s = 0.1
        for _ in range(3):
            requests.get(f"{box.url}/crm/v3/owners", headers=headers, timeout=10)
        requests.get(f"{box.url}/__sandbox__/stats", timeout=10)
    assert waits == [0.1, 0.1, 0.1]
