from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadsync.cli import app

SECRET = "pat-na1-5ecret-T0KEN"
runner = CliRunner()

DONE_WHEN = f"""
[sync]
interval = "whenever"

[crm.x]
enabled = true
access_token = "{SECRET}"
"""


CREDENTIALS = (
    "LEADSYNC_CRM__SALESFORCE__PASSWORD",
    "LEADSYNC_CRM__SALESFORCE__SECURITY_TOKEN",
    "LEADSYNC_CRM__HUBSPOT__ACCESS_TOKEN",
)


def test_check_accepts_the_example_config_once_its_credentials_are_set(
    example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number, name in enumerate(CREDENTIALS):
        monkeypatch.setenv(name, f"real-credential-{number}")
    result = runner.invoke(app, ["check", "--config", str(example_config)])
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.stdout


def test_check_json_on_a_valid_config(example_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number, name in enumerate(CREDENTIALS):
        monkeypatch.setenv(name, f"real-credential-{number}")
    result = runner.invoke(app, ["check", "--config", str(example_config), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"ok": True, "errors": []}


def test_check_flags_the_example_configs_placeholders_with_the_variables_to_set(example_config: Path) -> None:
    result = runner.invoke(app, ["check", "--config", str(example_config), "--format", "json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert [(e["path"], e["hint"].split(";")[0]) for e in errors] == [
        ("crm.salesforce.password", "set LEADSYNC_CRM__SALESFORCE__PASSWORD"),
        ("crm.salesforce.security_token", "set LEADSYNC_CRM__SALESFORCE__SECURITY_TOKEN"),
        ("crm.hubspot.access_token", "set LEADSYNC_CRM__HUBSPOT__ACCESS_TOKEN"),
    ]


def test_check_names_every_bad_key_and_never_the_secret(write_config) -> None:
    path = write_config(DONE_WHEN)
    result = runner.invoke(app, ["check", "--config", str(path), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert {e["path"] for e in document["errors"]} == {"crm.x.adapter", "sync.interval"}
    for error in document["errors"]:
        assert set(error) == {"file", "path", "message", "hint"}
        assert error["file"] == str(path)
        assert error["hint"]
    assert SECRET not in result.output


def test_check_table_lists_the_problems(write_config) -> None:
    result = runner.invoke(app, ["check", "--config", str(write_config(DONE_WHEN))])
    assert result.exit_code == 1
    assert "crm.x.adapter" in result.stdout
    assert "sync.interval" in result.stdout
    assert SECRET not in result.output


def test_the_installed_command_exits_1_on_a_bad_config_and_2_on_bad_usage(write_config) -> None:
    path = write_config(DONE_WHEN)
    bad = subprocess.run(
        [sys.executable, "-m", "leadsync", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "crm.x.adapter" in bad.stdout
    assert SECRET not in bad.stdout + bad.stderr
    usage = subprocess.run(
        [sys.executable, "-m", "leadsync", "check", "--no-such-option"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert usage.returncode == 2
    assert "No such option" in usage.stderr
    assert usage.stdout == ""


def test_version_as_json() -> None:
    result = runner.invoke(app, ["version", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["version"]


def test_check_reports_the_problems_of_the_definitions_it_names(write_config, tmp_path: Path) -> None:
    (tmp_path / "defs.toml").write_text('[stages.lead]\nlabel = "Lead"\n', encoding="utf-8")
    result = runner.invoke(
        app,
        ["check", "--config", str(write_config('[definitions]\npath = "defs.toml"\n')), "--format", "json"],
    )
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert all(e["file"] == str(tmp_path / "defs.toml") for e in errors)
    assert {"stages.lead.mode", "fit_gate", "owners"} <= {e["path"] for e in errors}


def test_check_reports_every_mapping_and_definitions_problem_together(write_config, tmp_path: Path) -> None:
    (tmp_path / "defs.toml").write_text("[stages\n", encoding="utf-8")
    (tmp_path / "sf.toml").write_text("[people.Lead.fields]\nemial = 'Email'\n", encoding="utf-8")
    (tmp_path / "hs.toml").write_text("[people.contacts.fields]\nemail = 'email'\n", encoding="utf-8")
    config = write_config(
        '[definitions]\npath = "defs.toml"\n'
        '[crm.sf]\nadapter = "salesforce"\nmapping = "sf.toml"\n'
        '[crm.hs]\nadapter = "hubspot"\nmapping = "hs.toml"\n'
        '[crm.off]\nadapter = "hubspot"\nenabled = false\nmapping = "missing.toml"\n'
    )
    result = runner.invoke(app, ["check", "--config", str(config), "--format", "json"])
    assert result.exit_code == 1
    files = {Path(e["file"]).name for e in json.loads(result.stdout)["errors"]}
    assert files == {"defs.toml", "sf.toml", "leadsync.toml"}  # the last: the CRMs lack credentials


def test_a_broken_mapping_is_reported_once(write_config, tmp_path: Path) -> None:
    (tmp_path / "sf.toml").write_text("[people\n", encoding="utf-8")
    config = write_config('[crm.sf]\nadapter = "salesforce"\nmapping = "sf.toml"\nsession_id = "x"\n')
    result = runner.invoke(app, ["check", "--config", str(config), "--format", "json"])
    errors = json.loads(result.stdout)["errors"]
    assert [e["message"][:14] for e in errors if e["file"].endswith("sf.toml")] == ["not valid TOML"]


def test_an_invalid_config_still_has_the_files_it_names_checked(write_config, tmp_path: Path) -> None:
    (tmp_path / "defs.toml").write_text("[stages\n", encoding="utf-8")
    (tmp_path / "sf.toml").write_text("[people.Lead.fields]\nemial = 'Email'\n", encoding="utf-8")
    config = write_config(
        '[sync]\ninterval = "whenever"\n[definitions]\npath = "defs.toml"\n'
        '[crm.sf]\nadapter = "salesforce"\nmapping = "sf.toml"\n'
        '[crm.off]\nadapter = "hubspot"\nenabled = false\nmapping = "missing.toml"\n'
    )
    result = runner.invoke(app, ["check", "--config", str(config), "--format", "json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert {Path(e["file"]).name for e in errors} == {"defs.toml", "sf.toml", "leadsync.toml"}
    assert "sync.interval" in {e["path"] for e in errors}
