"""`leadsync check` lists every problem of every table in one run (issue 21, item 6).

Each rule also has its own test: the state store's scheme, a credential's type, a CRM URL's
scheme, placeholders, and the environment variable each hint names (set, it is taken).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadsync.cli import app
from leadsync.config import load_config
from leadsync.config_values import is_placeholder
from leadsync.exceptions import ConfigError

runner = CliRunner()
SECRET_NUMBER = 8675309123
VARIABLE = re.compile(r"LEADSYNC_[A-Z0-9_-]+")

EVERYTHING_WRONG = f"""
[sync]
interval = "whenever"
state_url = "mysql://leadsync@db/leadsync"

[guard]
max_share = 2

[web]
port = 0

[definitions]
path = 7

[crm.sf]
adapter = "salesforce"
instance_url = "ftp://acme.my.salesforce.com"
session_id = {SECRET_NUMBER}
page_size = 5

[crm.hs]
adapter = "hubspot"
base_url = "http://api.hubapi.com"
access_token = "change-me"

[crm.hs-eu]
adapter = "hubspot"
access_token = "<your private-app token>"
shoe_size = 44

[crm.nameless]
enabled = true
"""


def check_json(path: Path) -> tuple[int, list[dict[str, str]], str]:
    result = runner.invoke(app, ["check", "--config", str(path), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)["errors"], result.output


def test_one_run_lists_every_problem_of_every_table(write_config) -> None:
    path = write_config(EVERYTHING_WRONG)
    code, errors, output = check_json(path)
    assert code == 1
    assert {e["path"] for e in errors} == {
        "sync.interval",
        "sync.state_url",
        "guard.max_share",
        "web.port",
        "definitions.path",
        "crm.sf.instance_url",
        "crm.sf.session_id",
        "crm.sf",  # its adapter's own settings: page_size out of range
        "crm.hs.base_url",
        "crm.hs.access_token",
        "crm.hs-eu.access_token",
        "crm.hs-eu",  # its adapter's own settings: an unknown key
        "crm.nameless.adapter",
    }
    adapters = {e["path"]: e["message"] for e in errors if e["path"] in ("crm.sf", "crm.hs-eu")}
    assert "page_size" in adapters["crm.sf"]
    assert "shoe_size" in adapters["crm.hs-eu"]
    assert all(e["file"] == str(path) and e["message"] and e["hint"] for e in errors)
    assert str(SECRET_NUMBER) not in output


def test_the_table_names_file_key_and_fix_of_each(write_config) -> None:
    path = write_config(EVERYTHING_WRONG)
    result = runner.invoke(app, ["check", "--config", str(path)])
    assert result.exit_code == 1
    assert "13 problems" in result.output
    for shown in ("sync.state_url", "crm.hs-eu.access_token", "LEADSYNC_CRM__HS__ACCESS_TOKEN"):
        assert shown in result.output


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("sqlite:///./leadsync.db", True),
        ("sqlite+pysqlite:///:memory:", True),
        ("postgresql://leadsync@db/leadsync", True),
        ("postgresql+psycopg://leadsync@db/leadsync", True),
        ("mysql://leadsync@db/leadsync", False),
        ("mssql+pyodbc://leadsync@db/leadsync", False),
        ("postgres://leadsync@db/leadsync", False),  # SQLAlchemy cannot load this name
    ],
)
def test_the_state_store_is_sqlite_or_postgresql(write_config, url: str, ok: bool) -> None:
    code, errors, _ = check_json(write_config(f'[sync]\nstate_url = "{url}"\n'))
    assert (code, [e["path"] for e in errors]) == ((0, []) if ok else (1, ["sync.state_url"]))


@pytest.mark.parametrize("value", [str(SECRET_NUMBER), "12.5", "true", "[1, 2]", "2026-01-01"])
def test_a_credential_that_is_not_text_is_an_error_not_coerced(write_config, value: str) -> None:
    path = write_config(f'[crm.hs]\nadapter = "hubspot"\naccess_token = {value}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.path) == (str(path), "crm.hs.access_token")
    assert "a credential is text" in problem.message
    assert "LEADSYNC_CRM__HS__ACCESS_TOKEN" in problem.hint
    assert str(SECRET_NUMBER) not in str(caught.value)


def test_a_credential_from_the_environment_is_taken_verbatim(
    write_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSYNC_CRM__HS__ACCESS_TOKEN", "1e10")  # JSON reads the number 1e10
    settings = load_config(write_config('[crm.hs]\nadapter = "hubspot"\n'))
    assert settings.crm["hs"].options["access_token"].get_secret_value() == "1e10"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://acme.my.salesforce.com", True),
        ("HTTPS://api.hubapi.com/", True),
        ("http://127.0.0.1:8123", True),
        ("http://127.8.9.10:8123", True),
        ("http://localhost:8123", True),
        ("http://[::1]:8123", True),
        ("http://acme.my.salesforce.com", False),
        ("http://10.0.0.5", False),
        ("ftp://acme.my.salesforce.com", False),
        ("file:///etc/passwd", False),
        ("acme.my.salesforce.com", False),
        ("https://", False),
        ("http://[::1", False),
    ],
)
def test_a_crm_url_is_https_or_http_to_loopback(write_config, url: str, ok: bool) -> None:
    text = f'[crm.sf]\nadapter = "salesforce"\ninstance_url = "{url}"\nsession_id = "00Dsession"\n'
    code, errors, _ = check_json(write_config(text))
    assert (code, [e["path"] for e in errors]) == ((0, []) if ok else (1, ["crm.sf.instance_url"]))


def test_a_crm_url_given_as_a_number_is_an_error(write_config) -> None:
    code, errors, _ = check_json(write_config('[crm.hs]\nadapter = "hubspot"\nbase_url = 443\n'))
    assert code == 1
    assert "crm.hs.base_url" in {e["path"] for e in errors}


@pytest.mark.parametrize(
    "value",
    ["change-me", "CHANGE_ME", "changeme", "", "  ", "TODO", "secret", "xxxx", "****", "...", "…",
     "<your token>", "${HUBSPOT_TOKEN}", "{{ token }}", "your-api-token-here", "placeholder"],
)  # fmt: skip
def test_obvious_placeholders_are_recognised(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["pat-na1-5c1b6f0e-1c2d", "00Dxx0000001gPL!AQ4AQ", "x", "hunter2x9"])
def test_real_looking_credentials_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


def test_a_placeholder_from_the_environment_is_blamed_on_its_variable(
    write_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSYNC_WEB__TOKEN", "x" * 16)  # long enough for [web]
    code, errors, _ = check_json(write_config(""))
    assert code == 1
    assert [(e["file"], e["path"]) for e in errors] == [("environment LEADSYNC_WEB__TOKEN", "web.token")]


def test_every_variable_a_hint_names_is_taken_when_set(
    example_config: Path, write_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set each variable `check` prints for the example config and a hyphenated CRM name:
    load_config takes each value, and `check` then passes."""
    lines = example_config.read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.startswith(("path =", "mapping =")))  # no files here
    text += '\n[crm.hubspot-eu]\nadapter = "hubspot"\naccess_token = "change-me"\n'
    text += '[crm.off]\nadapter = "hubspot"\nenabled = false\naccess_token = "change-me"\n'  # not checked
    path = write_config(text)
    _, errors, _ = check_json(path)
    named = {e["path"]: VARIABLE.findall(e["hint"]) for e in errors}
    assert set(named) == {
        "crm.salesforce.password",
        "crm.salesforce.security_token",
        "crm.hubspot.access_token",
        "crm.hubspot-eu.access_token",
    }
    for number, (variable,) in enumerate(named[key] for key in sorted(named)):
        monkeypatch.setenv(variable, f"real-value-{number}")
    settings = load_config(path)
    for number, key in enumerate(sorted(named)):
        _, crm, option = key.split(".")
        assert settings.crm[crm].options[option].get_secret_value() == f"real-value-{number}"
    assert check_json(path)[:2] == (0, [])
