"""No credential from the config shows up in any output, log line, audit, quarantine or state.

Every command a user runs against a real pipeline is run with the sandboxes' credentials in
the config; their stdout and stderr and the whole state-store file are then scanned for them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.cli import app
from leadsync.clock import SystemClock

runner = CliRunner()


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[tuple[Path, Path, list[str]]]:
    """A config naming both sandboxes, its state file, and the secrets it holds."""
    with (
        SalesforceSandbox(people=120, clock=SystemClock()) as salesforce,
        HubSpotSandbox(people=120, clock=SystemClock(), rate_limits=False) as hubspot,
    ):
        state = tmp_path / "state.db"
        crm = {
            "salesforce": {"adapter": "salesforce", **salesforce.settings()},
            "hubspot": {"adapter": "hubspot", **hubspot.settings()},
        }
        config = tmp_path / "leadsync.toml"
        config.write_text(
            tomli_w.dumps({"sync": {"state_url": f"sqlite:///{state}"}, "crm": crm}), encoding="utf-8"
        )
        secrets = [crm["salesforce"]["session_id"], crm["hubspot"]["access_token"]]
        yield config, state, secrets


def test_no_secret_in_any_output_log_audit_quarantine_or_state(
    configured: tuple[Path, Path, list[str]],
) -> None:
    config, state, secrets = configured
    outputs: list[str] = []

    def run(*args: str) -> dict[str, object] | list[object] | None:
        result = runner.invoke(app, [*args, "--config", str(config)])
        outputs.extend([result.stdout, result.stderr])
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout) if "--format" in args else None

    run("check", "--live", "--format", "json")
    run("sync", "--format", "json")
    run("sync")
    run("plan", "--format", "json")
    run("runs", "--format", "json")
    run("quarantine", "--format", "json")
    document = run("sync", "--dry-run", "--format", "json")
    assert isinstance(document, dict)
    explained = runner.invoke(app, ["explain", "nobody@example.com", "--config", str(config)])
    outputs.extend([explained.stdout, explained.stderr])

    assert any("cycle.finished" in text for text in outputs)  # the log lines were scanned too
    stored = state.read_bytes().decode("utf-8", errors="replace")
    for secret in secrets:
        assert len(secret) > 20  # a real credential, not an empty string that matches anywhere
        for text in [*outputs, stored]:
            assert secret not in text


def test_no_refused_credential_in_the_errors_of_a_bad_login(configured: tuple[Path, Path, list[str]]) -> None:
    config, _, secrets = configured
    wrong = [secret[::-1] + "-wrong" for secret in secrets]  # refused by the sandboxes
    text = config.read_text(encoding="utf-8")
    for secret, bad in zip(secrets, wrong, strict=True):
        text = text.replace(secret, bad)
    config.write_text(text, encoding="utf-8")
    outputs: list[str] = []
    exits: list[int] = []
    for args in (("check", "--live", "--format", "json"), ("sync", "--format", "json"), ("plan",)):
        result = runner.invoke(app, [*args, "--config", str(config)])
        outputs.extend([result.stdout, result.stderr])
        exits.append(result.exit_code)
    assert "session" in json.loads(outputs[0])["errors"][0]["message"].lower()  # the refusal is told...
    assert exits == [1, 1, 1]  # refused credentials fail every command: nothing can be decided
    assert outputs[2] == outputs[4] == ""  # sync and plan stop before a cycle...
    assert "session" in outputs[3].lower()  # ...saying why on stderr
    for bad in wrong:
        assert all(bad not in text for text in outputs)  # ...never the credential
