"""Every command builds what it works on through the composition root: the commands that read the
state store alone never build a CRM's adapter; those that sync, plan, explain or roll back do, and
each says the same problem of the same CRM."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadsync.cli import app

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose one CRM names an adapter that is not installed."""
    path = tmp_path / "leadsync.toml"
    state = tmp_path / "state.db"
    path.write_text(
        f'[sync]\nstate_url = "sqlite:///{state}"\n\n[crm.pipedrive]\nadapter = "no-such-adapter"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("command", [["runs"], ["quarantine"], ["report"]], ids=lambda command: command[0])
def test_a_command_on_the_state_store_alone_builds_no_adapter(config: Path, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--config", str(config), "--format", "json"])

    assert result.exit_code == 0, result.output
    assert "no-such-adapter" not in result.output


@pytest.mark.parametrize(
    "command",
    [["sync"], ["plan"], ["explain", "someone@example.com"], ["rollback", "0123abcd", "--yes"]],
    ids=lambda command: command[0],
)
def test_a_command_on_the_crms_names_the_adapter_the_config_lacks(config: Path, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--config", str(config)])

    assert result.exit_code == 1, result.output
    [problem] = [line for line in result.stderr.splitlines() if "[crm.pipedrive.adapter]" in line]
    assert problem.startswith(f"{config} [crm.pipedrive.adapter]: no leadsync.adapters entry point")
    assert "'no-such-adapter'" in problem
    assert not (config.parent / "state.db").exists()  # stopped before the state store was opened
