"""What escapes a command reaches the user as one line and exit 1, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tomli_w

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import SystemClock
from tests.conftest import REPO


def test_a_crm_refusing_a_read_mid_cycle_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """A field the org does not have (INVALID_FIELD on the first query) used to end `sync`
    with a rich traceback of the adapter's internals."""
    mapping = tmp_path / "salesforce.toml"
    shipped = (REPO / "mappings" / "salesforce.toml").read_text(encoding="utf-8")
    mapping.write_text(
        shipped.replace("[people.Lead.fields]\n", '[people.Lead.fields]\n"attributes.gone" = "Gone__c"\n', 1),
        encoding="utf-8",
    )
    with (
        SalesforceSandbox(people=20, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=20, clock=SystemClock(), rate_limits=False) as hubspot,
    ):
        config = tmp_path / "leadsync.toml"
        raw = {
            "sync": {"state_url": f"sqlite:///{tmp_path / 'state.db'}"},
            "crm": {
                "salesforce": {"adapter": "salesforce", "mapping": str(mapping), **salesforce.settings()},
                "hubspot": {"adapter": "hubspot", **hubspot.settings()},
            },
        }
        config.write_text(tomli_w.dumps(raw), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "leadsync", "sync", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "╭" not in done.stderr  # rich's traceback box
    said = [line for line in done.stderr.splitlines() if not line.startswith("{")]  # not a JSON log event
    assert len(said) == 1
    assert "INVALID_FIELD: ERROR at Row:1:Column:" in said[0]
    assert "No such column 'Gone__c'" in said[0]
