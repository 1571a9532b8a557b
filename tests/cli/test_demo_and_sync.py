"""`leadsync demo`, `sync`, `plan`, `runs` and `explain` against sandboxes, as a user runs them.

What is asserted is what a user sees: stdout (one JSON document), the exit code, and the
sandboxes' own call counters for "nothing was written".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import Result
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.cli import app
from leadsync.clock import SystemClock
from leadsync.store import RunStatus, Store
from tests.conftest import travel_environment

runner = CliRunner()

SALESFORCE_WRITES = ("PATCH", "composite/sobjects")
HUBSPOT_WRITES = ("POST", "contacts batch/update")


def _demo(
    folder: Path, environment: dict[str, str] | None = None, crms: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`leadsync demo --people 200 --format json [--crm …]`, run in `folder`: its one JSON document."""
    chosen = [arg for crm in crms for arg in ("--crm", crm)]
    done = subprocess.run(
        [sys.executable, "-m", "leadsync", "demo", "--people", "200", "--format", "json", *chosen],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,  # the demo writes nothing here without --keep
        env={**os.environ, **(environment or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)  # the whole of stdout: one document, nothing else
    return document


def test_demo_prints_one_json_document_of_a_full_cycle_then_a_quiet_one(tmp_path: Path) -> None:
    document = _demo(tmp_path, crms=("hubspot", "salesforce", "pipedrive"))
    _assert_pyramid(document["funnel"])
    assert set(document) == {"people", "state_url", "cycles", "funnel", "pivot", "explained"}
    assert document["people"] == 200
    first, second = document["cycles"]
    assert set(first["crms"]) == set(second["crms"]) == {"salesforce", "hubspot", "pipedrive"}
    for name, figures in first["crms"].items():
        assert figures["writes"] > 0, name
        assert figures["failed"] == 0, name
        assert figures["write_calls"] == figures["write_calls_min"] > 0, (name, figures)
    for name, figures in second["crms"].items():
        assert figures["writes"] == figures["write_calls"] == figures["changed"] == 0, (name, figures)
    assert first["status"] == second["status"] == "succeeded"
    assert set(document["funnel"]) == {"salesforce", "hubspot", "pipedrive"}
    pivot = document["pivot"]  # the report's funnel view: stages by CRM, the same records as "funnel"
    assert pivot["view"] == "funnel"
    assert [row["stage"] for row in pivot["rows"]][-2:] == ["nurture", "disqualified"]
    for crm, rows in document["funnel"].items():
        held = {}
        for row in rows:
            held[row["stage"]] = held.get(row["stage"], 0) + row["records"]
        assert {row["stage"]: row[f"{crm}_records"] for row in pivot["rows"]} == {
            row["stage"]: held.get(row["stage"], 0) for row in pivot["rows"]
        }
        shares = [row[f"{crm}_share"] for row in pivot["rows"]]
        if any(row[f"{crm}_records"] for row in pivot["rows"]):  # a share is of the records in a stage
            assert abs(sum(shares) - 1) < 1e-9
        else:
            assert shares == [None] * len(shares)
    explained = document["explained"]
    assert {record["record"].split(":", 1)[0] for record in explained["records"]} >= {"pipedrive"}
    assert list(tmp_path.iterdir()) == []


def _assert_pyramid(funnel: dict[str, list[dict[str, Any]]]) -> None:
    """With the default definitions, each CRM's records narrow stage by stage and heat by heat, and
    at most one in ten is sql (issue #22: a funnel sales would sign)."""
    for crm, rows in funnel.items():
        stages: Counter[str] = Counter()
        heat: Counter[str] = Counter()
        for row in rows:
            stages[row["stage"]] += row["records"]
            heat[row["temperature"]] += row["records"]
        if set(stages) != {"none"}:  # a CRM whose people hold no stage (Pipedrive) has heat only
            assert stages["lead"] > stages["mql"] > stages["sql"] > 0, (crm, stages)
        assert heat["cold"] > heat["warm"] > heat["hot"] > 0, (crm, heat)
        assert stages["sql"] <= 0.10 * stages.total(), (crm, stages)


def test_the_demo_funnel_does_not_age(tmp_path: Path) -> None:
    """The seeded activities sit relative to the demo's own clock: ten years on, the same funnel."""
    today = _demo(tmp_path)
    later = _demo(tmp_path, travel_environment(timedelta(days=3653)))
    assert later["funnel"] == today["funnel"]
    assert sum(row["records"] for rows in today["funnel"].values() for row in rows) > 200


# -- sync, plan, runs and explain against sandboxes started here ---------------------------------


@dataclass
class Sandboxes:
    salesforce: SalesforceSandbox
    hubspot: HubSpotSandbox
    config: Path
    state_url: str

    def writes(self) -> int:
        """Write calls both sandboxes have answered so far."""
        return self.salesforce.calls.count(*SALESFORCE_WRITES) + self.hubspot.calls.count(*HUBSPOT_WRITES)


@pytest.fixture
def sandboxes(tmp_path: Path) -> Iterator[Sandboxes]:
    """Both sandboxes (100 people) and a config file naming them and a fresh SQLite store."""
    with (
        SalesforceSandbox(people=100, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=100, clock=SystemClock(), rate_limits=False) as hubspot,
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
        yield Sandboxes(salesforce, hubspot, config, state_url)


def _invoke(sandboxes: Sandboxes, *args: str) -> Result:
    return runner.invoke(app, [*args, "--config", str(sandboxes.config)])


def _json(result: Result) -> Any:
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return json.loads(result.stdout)


def _written(report: dict[str, Any]) -> int:
    return sum(figures["writes"] for figures in report["crms"].values())


def test_sync_writes_once_then_nothing_and_a_dry_run_writes_nothing(sandboxes: Sandboxes) -> None:
    dry = _json(_invoke(sandboxes, "sync", "--dry-run", "--format", "json"))
    assert dry["dry_run"] is True
    assert sum(figures["changed"] for figures in dry["crms"].values()) > 0
    assert _written(dry) == 0
    assert sandboxes.writes() == 0  # the sandboxes saw no write call

    first = _json(_invoke(sandboxes, "sync", "--format", "json"))
    assert first["status"] == "succeeded"
    assert first["dry_run"] is False
    for name, figures in first["crms"].items():
        assert figures["writes"] > 0, name
        assert figures["write_calls"] == figures["write_calls_min"], (name, figures)
    calls = sandboxes.writes()
    assert calls == sum(figures["write_calls"] for figures in first["crms"].values())

    second = _json(_invoke(sandboxes, "sync", "--format", "json"))
    assert second["status"] == "succeeded"
    assert _written(second) == 0
    assert all(figures["changed"] == 0 for figures in second["crms"].values())
    assert sandboxes.writes() == calls

    plan = _json(_invoke(sandboxes, "plan", "--format", "json"))
    assert {"definitions", "people", "records", "fields", "stage_moves", "samples"} <= set(plan)
    assert plan["records"] == {}  # in sync: nothing left to write

    runs = _json(_invoke(sandboxes, "runs", "--format", "json"))["runs"]
    assert [run["id"] for run in runs] == [second["run_id"], first["run_id"], dry["run_id"]]
    assert {run["status"] for run in runs} == {"succeeded"}
    assert runs[1]["counts"]["written"] == _written(first)
    assert runs[0]["counts"]["written"] == 0


def test_explain_tells_one_persons_story_and_an_unknown_email_exits_1(sandboxes: Sandboxes) -> None:
    _json(_invoke(sandboxes, "sync", "--format", "json"))
    with Store.open(sandboxes.state_url) as store:
        person = store.links.person_in_several_crms()
        assert person is not None
        email = store.links.email_of(person)
    assert email is not None

    explained = _json(_invoke(sandboxes, "explain", email.upper(), "--format", "json"))
    assert explained["email"] == email
    assert {record["record"].split(":", 1)[0] for record in explained["records"]} == {"salesforce", "hubspot"}
    assert explained["decision"]["stage"]
    assert all(record["would_write"] == {} for record in explained["records"])  # already written

    unknown = _invoke(sandboxes, "explain", "nobody@nowhere.example", "--format", "json")
    assert unknown.exit_code == 1
    assert unknown.stdout == ""
    assert "nobody@nowhere.example" in unknown.stderr


def test_the_daemon_ends_cleanly_on_sigterm_with_its_run_stored(sandboxes: Sandboxes) -> None:
    daemon = subprocess.Popen(
        [sys.executable, "-m", "leadsync", "run", "--config", str(sandboxes.config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert daemon.stderr is not None
        for line in daemon.stderr:  # JSON log lines: stderr is not a terminal
            lines.append(line)
            if '"cycle.started"' in line:
                break
        daemon.send_signal(signal.SIGTERM)
        _, rest = daemon.communicate(timeout=60)
    finally:
        daemon.kill()
    log = "".join(lines) + rest
    assert daemon.returncode == 0, log
    events = [json.loads(line)["event"] for line in log.splitlines() if line.startswith("{")]
    assert events[-1] == "daemon.stopped"
    assert "cycle.finished" in events
    with Store.open(sandboxes.state_url) as store:
        runs = store.runs.recent()
    assert len(runs) == 1
    assert runs[0].status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL)  # checkpointed, not left running
    assert runs[0].finished_at is not None
