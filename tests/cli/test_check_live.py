from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from adapters.salesforce.sandbox.access import set_profile
from leadsync.cli import app
from leadsync.clock import SystemClock
from tests.conftest import REPO

runner = CliRunner()
DEFINITIONS = REPO / "mappings" / "definitions.toml"


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[str, dict[str, Any]]]:
    with (
        SalesforceSandbox(people=40, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=40, clock=SystemClock(), rate_limits=False) as hubspot,
    ):
        yield {"sf": salesforce.settings(), "hs": hubspot.settings()}


def config_for(settings: dict[str, dict[str, Any]], **overrides: dict[str, Any]) -> str:
    tables = []
    for name, adapter in (("sf", "salesforce"), ("hs", "hubspot")):
        values = {"adapter": adapter, **settings[name], **overrides.get(name, {})}
        tables.append(f"[crm.{name}]\n" + "".join(f"{key} = {json.dumps(v)}\n" for key, v in values.items()))
    return "\n".join(tables)


def check(write_config, text: str, *args: str):
    result = runner.invoke(app, ["check", "--config", str(write_config(text)), "--format", "json", *args])
    return result, json.loads(result.stdout)


def test_check_live_connects_to_both_sandboxes(write_config, sandboxes) -> None:
    result, document = check(write_config, config_for(sandboxes), "--live")
    assert result.exit_code == 0, document
    assert document == {"ok": True, "errors": []}
    assert not any(line.startswith("warning:") for line in result.stderr.splitlines())  # fallback: a person


def test_check_live_counts_owners_by_kind_and_warns_of_a_fallback_who_cannot_own(
    write_config, sandboxes, tmp_path: Path
) -> None:
    integration = "leadsync.integration@sales.example.com"  # the user the Salesforce sandbox signs in as
    shipped = 'fallback = "sales-ops@example.com"'
    defs = DEFINITIONS.read_text().replace(shipped, f'fallback = "{integration}"')
    (tmp_path / "defs.toml").write_text(defs, encoding="utf-8")
    text = config_for(sandboxes) + '\n[definitions]\npath = "defs.toml"\n'
    result, document = check(write_config, text, "--live")
    assert result.exit_code == 0, document  # a warning, not a problem
    assert document == {"ok": True, "errors": []}
    lines = result.stderr.splitlines()
    # The seeded team: 9 people, one of whom left; Salesforce adds leadsync's own login and a
    # queue with an e-mail (its other queue has none).
    assert "sf: owners 8 person, 1 integration, 1 queue, 1 inactive" in lines
    assert "hs: owners 8 person, 0 integration, 0 queue, 1 inactive" in lines
    fix = (
        "so records it is given there keep no valid owner. Fix: make it an active person in that CRM, "
        "or list its queue in [owners] queues of the definitions"
    )
    assert [line for line in lines if line.startswith("warning:")] == [
        f"warning: sf: the fallback owner {integration} is an integration user, {fix}",
        f"warning: hs: the fallback owner {integration} is no active user of the CRM, {fix}",
    ]


def test_check_live_reports_refused_credentials_without_echoing_them(write_config, sandboxes) -> None:
    text = config_for(
        sandboxes, sf={"session_id": "00Dwrong!secret"}, hs={"access_token": "pat-wrong-secret"}
    )
    result, document = check(write_config, text, "--live")
    assert result.exit_code == 1
    assert len(document["errors"]) >= 2
    assert "secret" not in result.stdout + result.stderr


def test_check_without_live_makes_no_call_but_validates_adapters_and_their_settings(
    write_config, sandboxes
) -> None:
    text = config_for(sandboxes, hs={"page_size": 5000}) + '\n[crm.pd]\nadapter = "zoho"\n'
    result, document = check(write_config, text)
    assert result.exit_code == 1
    by_path = {e["path"]: e for e in document["errors"]}
    assert "hubspot, marketo, pipedrive, salesforce" in by_path["crm.pd.adapter"]["hint"]
    assert "page_size" in by_path["crm.hs"]["message"]


def test_check_live_names_the_streams_a_professional_portal_refuses(write_config) -> None:
    with HubSpotSandbox(people=20, clock=SystemClock(), rate_limits=False, tier="professional") as hubspot:
        values = {"adapter": "hubspot", **hubspot.settings()}
        text = "[crm.hs]\n" + "".join(f"{key} = {json.dumps(v)}\n" for key, v in values.items())
        result, document = check(write_config, text, "--live")
    assert result.exit_code == 1
    refused = {e["path"]: e for e in document["errors"]}
    assert set(refused) == {"activities.page_views", "activities.form_submissions"}
    assert all("403" in e["message"] and "Enterprise" in e["hint"] for e in refused.values())


def test_probe_writes_writes_records_own_values_back_and_names_each_refusal(write_config) -> None:
    with (
        SalesforceSandbox(people=40, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=40, clock=SystemClock(), rate_limits=False) as hubspot,
    ):
        ruled = next(str(r["Id"]) for r in salesforce.store.records("Lead") if not r["IsConverted"])
        salesforce.store.reject_on_save(ruled, message="Rating is required once a lead is qualified")
        before = {str(r["Id"]): r["SystemModstamp"] for r in salesforce.store.records("Lead")}
        settings = {"sf": salesforce.settings(), "hs": hubspot.settings()}
        result, document = check(write_config, config_for(settings), "--live", "--probe-writes", "200")
        after = {str(r["Id"]): r["SystemModstamp"] for r in salesforce.store.records("Lead")}
    assert result.exit_code == 1
    assert [(e["file"], e["path"]) for e in document["errors"]] == [("crm.sf", f"sf:Lead/{ruled}")], document
    assert "FIELD_CUSTOM_VALIDATION_EXCEPTION" in document["errors"][0]["message"]
    assert "Rating is required" in document["errors"][0]["message"]
    assert sum(before[i] != after[i] for i in before) > 10  # the others were written back
    assert after[ruled] == before[ruled]
    assert "records written back, 1 refused" in result.stderr


def test_check_live_proves_the_user_is_dedicated_before_skip_own_echoes_is_used(write_config) -> None:
    with SalesforceSandbox(people=20, clock=SystemClock()) as salesforce:
        values = {"adapter": "salesforce", **salesforce.settings(), "skip_own_echoes": True}
        text = "[crm.sf]\n" + "".join(f"{key} = {json.dumps(v)}\n" for key, v in values.items())
        result, document = check(write_config, text, "--live")
        assert (result.exit_code, document) == (0, {"ok": True, "errors": []})  # seeded: API only
        set_profile(salesforce.store, salesforce.store.integration_user_id, "Standard User")
        result, document = check(write_config, text, "--live")
    assert result.exit_code == 1
    [error] = document["errors"]
    assert (error["file"], error["path"]) == (str(write_config(text)), "crm.sf.skip_own_echoes")
    assert "is not API only" in error["message"]
    assert "skip_own_echoes = false" in error["hint"]
