"""Both seeded CRM sandboxes, served from a benchmark worker process, and edits between cycles.

Run through `Worker("benchmarks.sandboxes:Sandboxes", people)` so the sandboxes' memory and
request handling stay out of the engine's process. `change(share)` edits a share of the people
in both CRMs as a person would (their job title flips between a C-level and an intern title),
which moves their fit score: the next cycle must read and write them again.
"""

from __future__ import annotations

import random
import time
from typing import Any, Final

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import SystemClock

__all__ = ["Sandboxes"]

_TITLES: Final = ("CEO", "Intern")
_EDITOR: Final = "alice.martin@example.com"  # a seeded sales user
_SF_PEOPLE: Final = ("Lead", "Contact")


class Sandboxes:
    """A Salesforce and a HubSpot sandbox seeded with the same `people`, serving on loopback; with
    `latency_ms`, each answer is held back that long and HubSpot enforces its Professional limits."""

    def __init__(self, people: int, seed: int = 7, latency_ms: int = 0) -> None:
        started = time.perf_counter()
        clock = SystemClock()  # the machine's, which the engine's process reads too
        seeded_at = clock.now()  # one instant: both CRMs hold the same population
        self.salesforce = SalesforceSandbox(people=people, seed=seed, clock=clock, seeded_at=seeded_at)
        self.hubspot = HubSpotSandbox(
            people=people, seed=seed, clock=clock, seeded_at=seeded_at, rate_limits=latency_ms > 0
        )
        self.salesforce.latency_s = self.hubspot.latency_s = latency_ms / 1000
        self.salesforce.__enter__()
        self.hubspot.__enter__()
        self.seed_s = time.perf_counter() - started
        self._rng = random.Random(seed)

    def seed_seconds(self) -> float:
        """How long seeding and starting both sandboxes took."""
        return self.seed_s

    def settings(self) -> dict[str, dict[str, Any]]:
        """Each sandbox's connection settings, for `[crm.<name>]`."""
        return {"salesforce": self.salesforce.settings(), "hubspot": self.hubspot.settings()}

    def calls(self) -> dict[str, dict[str, int]]:
        """Calls per endpoint each sandbox answered since the last `reset_calls`."""
        return {"salesforce": self.salesforce.calls.snapshot(), "hubspot": self.hubspot.calls.snapshot()}

    def reset_calls(self) -> None:
        """Forget the calls counted so far."""
        self.salesforce.calls.reset()
        self.hubspot.calls.reset()

    def change(self, share: float) -> int:
        """Flip the job title of `share` of the records in both CRMs; how many records were edited."""
        edited = 0
        for sobject in _SF_PEOPLE:
            for record in self._sample(self.salesforce.store.records(sobject), share):
                title = _other(str(record.get("Title") or ""))
                self.salesforce.store.update_as_user(sobject, str(record["Id"]), _EDITOR, Title=title)
                edited += 1
        store = self.hubspot.store
        for contact_id in self._sample(store.ids("contacts"), share):
            values = store.contact(contact_id) or {}
            store.update_as_user(contact_id, jobtitle=_other(values.get("jobtitle", "")))
            edited += 1
        return edited

    def close(self) -> None:
        """Stop serving."""
        self.hubspot.stop()
        self.salesforce.stop()

    def _sample(self, items: list[Any], share: float) -> list[Any]:
        return self._rng.sample(items, round(len(items) * share))


def _other(title: str) -> str:
    return _TITLES[1] if title == _TITLES[0] else _TITLES[0]
