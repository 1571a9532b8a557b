"""Salesforce and Marketo through the engine: leads linked by the native sync's ids, one score and
temperature per person in both, and a second cycle that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.marketo import MarketoAdapter
from adapters.marketo.sandbox import MarketoSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.adapter_api import AdapterContext
from leadsync.clock import ManualClock
from leadsync.config import Settings
from leadsync.connections import connect_all
from leadsync.definitions import load_definitions
from leadsync.engine import CycleReport, SyncEngine
from leadsync.mapping import load_mapping
from leadsync.model import RecordRef
from leadsync.store import Store

from .conftest import MAPPING, NOW


class Pair:
    """Both sandboxes on one clock, a state store, and the engine over them."""

    def __init__(
        self, salesforce: SalesforceSandbox, marketo: MarketoSandbox, store: Store, state: str
    ) -> None:
        self.salesforce, self.marketo, self.store = salesforce, marketo, store
        self.clock = salesforce.clock
        self.raw: dict[str, Any] = {
            "sync": {"state_url": state},
            "crm": {
                "salesforce": {"adapter": "salesforce", **salesforce.settings()},
                "marketo": {"adapter": "marketo", **marketo.settings()},
            },
        }

    def sync(self) -> CycleReport:
        self.clock.advance(minutes=1)
        settings = Settings.model_validate(self.raw)
        connections = connect_all(settings, clock=self.clock, sleep=self.clock.sleep)
        return SyncEngine(settings, self.store, connections, load_definitions(), self.clock).sync()


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    clock = ManualClock(NOW)
    state = f"sqlite:///{tmp_path / 'state.db'}"
    with (
        SalesforceSandbox(people=150, clock=clock, seeded_at=NOW) as salesforce,
        MarketoSandbox(people=150, clock=clock, seeded_at=NOW) as marketo,
    ):
        store = Store.open(state)
        try:
            yield Pair(salesforce, marketo, store, state)
        finally:
            store.close()


def test_linked_by_id_written_once_and_the_next_cycle_writes_nothing(pair: Pair) -> None:
    first = pair.sync()
    assert first.crm("marketo").writes > 0, first.as_dict()
    linked = 0
    for n, lead in pair.marketo.leads.items():
        for sobject, name in (("Lead", "sfdcLeadId"), ("Contact", "sfdcContactId")):
            if lead.get(name):
                person = pair.store.links.person_of(RecordRef("marketo", "lead", str(n)))
                if person is None:
                    continue  # a dirty lead, quarantined
                assert pair.store.links.person_of(RecordRef("salesforce", sobject, lead[name])) == person
                linked += 1
    assert linked > 20
    second = pair.sync()
    assert {name: f.writes for name, f in second.crms.items()} == dict.fromkeys(second.crms, 0)


def test_after_the_native_sync_copies_salesforce_in_the_next_cycle_writes_nothing(
    pair: Pair, tmp_path: Path
) -> None:
    pair.sync()
    pair.clock.advance(minutes=5)  # the native sync runs every few minutes
    assert pair.marketo.native_sync(pair.salesforce.store.get) > 0
    report = _marketo(pair).check()
    assert any("native CRM sync" in p.render() for p in report.problems), report.problems
    # as the check says: the synced field is written in Salesforce only
    mapping = tmp_path / "marketo.toml"
    text = Path(MAPPING.file).read_text(encoding="utf-8")
    mapping.write_text(
        text.replace('temperature = "leadsyncTemperature"', "# (synced from Salesforce)"), "utf-8"
    )
    pair.raw["crm"]["marketo"]["mapping"] = str(mapping)
    assert _marketo(pair).check().ok
    after = pair.sync()
    assert {name: (f.writes, f.failed) for name, f in after.crms.items()} == dict.fromkeys(after.crms, (0, 0))


def _marketo(pair: Pair) -> MarketoAdapter:
    settings = Settings.model_validate(pair.raw)
    return MarketoAdapter(
        AdapterContext(
            "marketo", pair.marketo.settings(), load_mapping(settings.crm["marketo"].mapping or MAPPING.file),
            pair.clock, pair.clock.sleep,
        )
    )  # fmt: skip
