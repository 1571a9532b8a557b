"""`forget` takes the pipeline's lease: while a cycle runs it erases nothing and says so (exit 1).

A cycle stores what it reads as it goes; a person erased mid-cycle would be written back by
the cycle's later steps. The cycle here is real: HubSpot holds its owners call back (under the
lease) until the test lets it go, so the overlap is certain, not timed.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import tomli_w
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.cli import app
from leadsync.clock import ManualClock
from leadsync.config import load_config
from leadsync.connections import connect_all
from leadsync.definitions import load_definitions
from leadsync.engine import CycleReport, SyncEngine
from leadsync.store import Store
from leadsync.testing.sandbox_server import Fault

runner = CliRunner()
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_forget_erases_nothing_while_a_cycle_holds_the_lease_then_everything(tmp_path: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def hold(_seconds: float) -> None:  # HubSpot's "timeout" fault: answer once the test says so
        held.set()
        release.wait(60)

    clock = ManualClock(NOW)
    with (
        SalesforceSandbox(people=20, clock=clock) as salesforce,
        HubSpotSandbox(people=20, clock=clock, rate_limits=False, sleep=hold) as hubspot,
    ):
        state_url = f"sqlite:///{tmp_path / 'state.db'}"
        config = tmp_path / "leadsync.toml"
        raw = {
            "sync": {"state_url": state_url},
            "crm": {
                "salesforce": {"adapter": "salesforce", **salesforce.settings()},
                "hubspot": {"adapter": "hubspot", **hubspot.settings()},
            },
        }
        config.write_text(tomli_w.dumps(raw), encoding="utf-8")
        settings, definitions = load_config(config), load_definitions()

        def cycle(store: Store) -> CycleReport:
            clock.advance(minutes=1)
            connections = connect_all(settings, clock=clock, sleep=clock.sleep)
            return SyncEngine(settings, store, connections, definitions, clock).sync()

        with Store.open(state_url) as store:
            cycle(store)
            person = store.links.person_in_several_crms()
            assert person is not None
            email = store.links.email_of(person)
            assert email is not None

            hubspot.faults.push(Fault("timeout", path="owners", delay_s=1))
            running = threading.Thread(target=cycle, args=(store,))
            running.start()
            try:
                assert held.wait(60), "the cycle never asked HubSpot for its owners"
                refused = runner.invoke(app, ["forget", email, "--yes", "--config", str(config)])
            finally:
                release.set()
                running.join(60)

        assert refused.exit_code == 1
        assert refused.stdout == ""
        assert "Nothing erased: a cycle is running" in refused.stderr
        assert "leadsync forget" in refused.stderr  # what to do next

        erased = runner.invoke(app, ["forget", email, "--yes", "--config", str(config), "--format", "json"])
    assert erased.exit_code == 0, erased.stderr
    report = json.loads(erased.stdout)
    assert report["people"] == 1  # still all there after the refusal: erased now
    assert report["records"] >= 2
