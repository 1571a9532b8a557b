"""Two runners on one PostgreSQL state store: one runs the pipeline, the other skips its cycle.

The runners are real processes: `leadsync sync`, then a `leadsync run` daemon started while
the first holds the pipeline's lease (HubSpot holds the first write back until the test lets
it go, so the overlap is certain, not timed). The lease is PostgreSQL's advisory lock: the
second runner does not wait for it; it skips the cycle, says why, and tries again on its
schedule. What the sandboxes were sent is one runner's work, not two.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import tomli_w
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.cli import app
from leadsync.clock import SystemClock
from leadsync.store import RunStatus, Store
from leadsync.testing.sandbox_server import Fault
from tests.store.conftest import postgres, store_url  # noqa: F401 - the PostgreSQL schema fixtures

pytestmark = pytest.mark.postgres

PEOPLE = 60
WRITES = (("PATCH", "composite/sobjects"), ("POST", "contacts batch/update"))


def _lines(stream: IO[str]) -> Iterator[dict[str, Any]]:
    """The JSON log lines of a process's stderr (not a terminal: one JSON object a line)."""
    for line in stream:
        if line.startswith("{"):
            yield json.loads(line)


def _wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_a_second_daemon_skips_while_the_first_runner_holds_the_lease_and_nothing_is_written_twice(
    store_url: str,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    release = threading.Event()

    def hold(_seconds: float) -> None:  # HubSpot's "timeout" fault: answer once the test says so
        release.wait(60)

    with (
        SalesforceSandbox(people=PEOPLE, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=PEOPLE, clock=SystemClock(), rate_limits=False, sleep=hold) as hubspot,
    ):
        config = tmp_path / "leadsync.toml"
        raw = {
            "sync": {"state_url": store_url, "interval": "1s", "pipeline": f"two-{uuid.uuid4().hex[:8]}"},
            "crm": {
                "salesforce": {"adapter": "salesforce", **salesforce.settings()},
                "hubspot": {"adapter": "hubspot", **hubspot.settings()},
            },
        }
        config.write_text(tomli_w.dumps(raw), encoding="utf-8")
        hubspot.faults.push(
            Fault("timeout", path="batch/update", method="POST", delay_s=1)
        )  # held until released

        def writes() -> int:
            return salesforce.calls.count(*WRITES[0]) + hubspot.calls.count(*WRITES[1])

        first = subprocess.Popen(
            [sys.executable, "-m", "leadsync", "sync", "--config", str(config), "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        daemon = None
        try:
            _wait_for(lambda: hubspot.calls.count(*WRITES[1]) > 0, "the first runner's HubSpot write")
            daemon = subprocess.Popen(
                [sys.executable, "-m", "leadsync", "run", "--config", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert daemon.stderr is not None
            events = _lines(daemon.stderr)
            skipped = next(e for e in events if e["event"] in ("cycle.skipped", "cycle.started"))
            # The first runner is mid-write: the daemon's first cycle is skipped, saying why.
            assert skipped["event"] == "cycle.skipped", skipped
            assert "being run by another leadsync process" in skipped["reason"]
            assert "advisory lock" in skipped["reason"]

            # A third runner, `leadsync sync` by hand, is refused with the same reason.
            refused = CliRunner().invoke(app, ["sync", "--config", str(config)])
            assert refused.exit_code == 1
            assert "being run by another leadsync process" in refused.stderr
            sent = writes()

            release.set()
            out, _ = first.communicate(timeout=120)
            assert first.returncode == 0
            report = json.loads(out)
            assert report["status"] == "succeeded"
            assert writes() == sum(f["write_calls"] for f in report["crms"].values()) >= sent > 0

            # Once the lease is free, the daemon's next cycle runs: everything is written already.
            after = next(e for e in events if e["event"] == "cycle.finished")
            assert after["written"] == 0, after
        finally:
            release.set()
            if daemon is not None:
                daemon.send_signal(signal.SIGTERM)
                daemon.communicate(timeout=60)  # and closes its stderr
            first.kill()
            first.communicate()
    assert daemon is not None
    assert daemon.returncode == 0
    assert writes() == sum(f["write_calls"] for f in report["crms"].values())  # one runner's work
    with Store.open(store_url) as store:
        runs = store.runs.recent(limit=100)
        per_field = [
            (entry.ref, entry.field) for run in runs for entry in store.audit.of_run(run.id) if entry.applied
        ]
    assert len(per_field) == len(set(per_field)) > 0  # every value written once, by one runner
    assert {run.status for run in runs} == {RunStatus.SUCCEEDED}
    assert runs[-1].id == report["run_id"]  # the skipped cycle started no run
