"""The dashboard and the CLI build their pipeline through one composition root and read one set of
read models: over the same state store, a page or API body and a command's JSON say the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import time_machine
import tomli_w
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from adapters.salesforce.sandbox.records import INTEGRATION_EMAIL
from leadsync.cli import app as cli
from leadsync.web.models import FunnelOut, PersonOut
from tests.engine.conftest import Pipeline

runner = CliRunner()


@pytest.fixture
def config(synced: Pipeline, tmp_path: Path) -> Path:
    """The dashboard's pipeline as a config file: its sandboxes, state store and definitions."""
    path = tmp_path / "leadsync.toml"
    raw = {**synced.raw, "definitions": {"path": str(synced.definitions.file)}}
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


@pytest.fixture
def at_dashboard_time(synced: Pipeline) -> Iterator[None]:
    """The CLI's system clock stands at the dashboard's clock: both judge as of one instant."""
    with time_machine.travel(synced.clock.now(), tick=False):
        yield


def _showcase(synced: Pipeline) -> str:
    """The most active person in several CRMs whose owner is an active person in both.

    Not the demo's featured person: the seed has queue-owned records, and the dashboard calls no
    CRM, so it cannot tell a queue or someone who left from an active owner (it reads them as
    kept), while `explain` reads the CRMs' owners and says why such an owner is not kept.
    """
    users = synced.salesforce.store.records("User")
    owners = synced.hubspot.store.owners_page({}, base_url="http://sandbox")["results"]
    active = {str(u["Email"]) for u in users if u["IsActive"] and u["Email"] != INTEGRATION_EMAIL}
    active &= {str(o["email"]) for o in owners}
    emails = {
        str((synced.hubspot.store.contact(i) or {}).get("email", "")) for i in synced.hubspot.store.ids()
    }
    files = [synced.store.persons.file_by_email(e) for e in sorted(emails - {""})]
    candidates = [
        f for f in files if f is not None and len({r.crm for r in f.records}) > 1 and f.state.owner in active
    ]
    return min(candidates, key=lambda f: (-len(f.activities), f.state.id)).state.email


def printed(config: Path, *args: str) -> Any:
    result = runner.invoke(cli, [*args, "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.usefixtures("at_dashboard_time")
def test_the_person_page_shows_what_leadsync_explain_prints(
    synced: Pipeline, client: httpx.Client, config: Path
) -> None:
    email = _showcase(synced)
    explained = printed(config, "explain", email)

    body = client.get(f"/api/people/{quote(email)}").raise_for_status().json()
    page = client.get(f"/person/{quote(email, safe='@')}").raise_for_status().text

    shown = PersonOut.model_validate(explained).model_dump(mode="json")
    # `explain` reads what each record holds from the CRMs; the dashboard, which calls no CRM,
    # shows what was last read. Everything else is one explanation.
    for document in (shown, body):
        for record in document["records"]:
            record.pop("holds")
    assert body == shown
    assert body["reasons"]
    for reason in explained["reasons"]:
        assert reason["rule"] in page
    assert explained["decision"]["stage"] in page


def test_runs_are_the_same_in_the_cli_and_the_api(config: Path, client: httpx.Client) -> None:
    listed = printed(config, "runs")["runs"]

    body = client.get("/api/runs").raise_for_status().json()["runs"]

    assert [run["id"] for run in listed] == [run["id"] for run in body]
    for cli_run, api_run in zip(listed, body, strict=True):
        assert cli_run["status"] == api_run["status"]
        assert cli_run["duration_s"] == api_run["duration_s"]
        assert cli_run["counts"] == api_run["counts"]
        assert cli_run["api_calls"] == {
            crm: {"calls": calls["calls"], "minimum": calls["minimum"]}
            for crm, calls in api_run["api_calls"].items()
        }


def test_quarantine_and_failed_writes_are_the_same_in_the_cli_and_the_api(
    config: Path, client: httpx.Client
) -> None:
    listed = printed(config, "quarantine")

    body = client.get("/api/quarantine").raise_for_status().json()

    assert listed["by_reason"] == {group["reason"]: group["count"] for group in body["quarantine"]}
    assert listed["total"] == body["quarantined"] == 1
    failures = listed["write_failures"]["records"]
    assert failures
    assert len(failures) == body["failed_writes"]
    by_code = {r["record"]: group["code"] for group in body["write_failures"] for r in group["records"]}
    assert {f"{f['crm']}:{f['object_type']}/{f['record_id']}": f["code"] for f in failures} == by_code


@pytest.mark.usefixtures("at_dashboard_time")
def test_the_report_the_funnel_page_and_the_metrics_count_the_same(
    config: Path, client: httpx.Client
) -> None:
    reported = printed(config, "report")

    body = client.get("/api/funnel").raise_for_status().json()
    metrics = client.get("/metrics").raise_for_status().text

    assert FunnelOut.model_validate(reported).model_dump(mode="json") == body
    people = {
        sample.labels["stage"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "leadsync_people"
    }
    assert people == {stage["stage"]: stage["people"] for stage in reported["stages"]}
    assert sum(people.values()) > 0
