from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
import structlog

from leadsync.config import load_config
from leadsync.exceptions import ConfigError
from leadsync.logs import configure_logging

SECRET = "hunter2-s3cr3t-value"

BROKEN = f"""
[sync]
interval = "every hour"

[crm.x]
enabled = true
password = "{SECRET}"
"""


def problems_of(path: Path) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return {p.path: p.message for p in caught.value.problems}


def test_the_example_config_loads(example_config: Path) -> None:
    settings = load_config(example_config)
    assert settings.sync.interval == timedelta(minutes=15)
    assert settings.sync.cron is None
    assert settings.sync.state_url.drivername == "sqlite"
    assert set(settings.enabled_crms()) == {"salesforce", "hubspot"}
    assert settings.crm["salesforce"].adapter == "salesforce"
    assert settings.resolve(Path("mappings/x.toml")) == example_config.parent / "mappings/x.toml"


def test_every_problem_is_reported_at_once_with_its_path(write_config) -> None:
    problems = problems_of(write_config(BROKEN))
    assert set(problems) == {"sync.interval", "crm.x.adapter"}
    assert problems["crm.x.adapter"] == "required key is missing"


def test_each_problem_names_the_file_and_a_fix(write_config) -> None:
    path = write_config(BROKEN)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    for problem in caught.value.problems:
        assert problem.file == str(path)
        assert problem.hint
    text = str(caught.value)
    assert "[sync.interval]" in text
    assert "[crm.x.adapter]" in text
    assert "2 problems found" in text


def test_a_misspelt_key_gets_the_right_spelling_suggested(write_config) -> None:
    path = write_config('[sync]\nintervall = "5m"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert (problem.path, problem.message) == ("sync.intervall", "unknown key")
    assert "`interval`" in problem.hint


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ('[sync]\ninterval = "5m"\ncron = "* * * * *"\n', "sync", "both interval and cron"),
        ('[sync]\ncron = "61 * * * *"\n', "sync.cron", "crontab"),
        ('[sync]\ntimezone = "Mars/Olympus"\n', "sync.timezone", "time zone"),
        ('[sync]\nstate_url = "not a url"\n', "sync.state_url", "database URL"),
        ('[sync]\ninterval = "0s"\n', "sync.interval", "longer than zero"),
        ('[crm."Sales Force"]\nadapter = "salesforce"\n', "crm.Sales Force", "lower-case"),
    ],
)
def test_invalid_values_are_named_by_path(write_config, text: str, path: str, words: str) -> None:
    problems = problems_of(write_config(text))
    assert path in problems
    assert words in problems[path]


def test_durations_accept_units_and_seconds(write_config) -> None:
    assert load_config(write_config('[sync]\ninterval = "1h30m"\n')).sync.interval == timedelta(minutes=90)
    assert load_config(write_config("[sync]\ninterval = 45\n")).sync.interval == timedelta(seconds=45)


def test_syntax_errors_and_missing_files_are_problems_too(write_config, tmp_path: Path) -> None:
    problems = problems_of(write_config("[sync\ninterval = 1\n"))
    assert any("not valid TOML" in message for message in problems.values())
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.toml")


def test_the_config_file_comes_from_the_environment_when_not_given(
    write_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config('[sync]\ninterval = "2m"\n', name="elsewhere.toml")
    monkeypatch.setenv("LEADSYNC_CONFIG", str(path))
    assert load_config().sync.interval == timedelta(minutes=2)


def test_environment_overrides_win_over_the_file(
    example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSYNC_SYNC__INTERVAL", "5m")
    monkeypatch.setenv("LEADSYNC_CRM__SALESFORCE__PASSWORD", SECRET)
    settings = load_config(example_config)
    assert settings.sync.interval == timedelta(minutes=5)
    assert settings.crm["salesforce"].options["password"].get_secret_value() == SECRET
    assert settings.crm["salesforce"].options["username"] == "integration@example.com"


def test_a_bad_environment_override_is_blamed_on_its_variable(
    example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSYNC_SYNC__DRY_RUN", "perhaps")
    with pytest.raises(ConfigError) as caught:
        load_config(example_config)
    (problem,) = caught.value.problems
    assert problem.file == "environment LEADSYNC_SYNC__DRY_RUN"
    assert problem.path == "sync.dry_run"


def test_a_secret_never_shows_in_repr_str_errors_or_logs(write_config) -> None:
    settings = load_config(write_config(f'[crm.sf]\nadapter = "salesforce"\npassword = "{SECRET}"\n'))
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert SECRET not in repr(settings.crm["sf"].options)
    assert SECRET not in json.dumps(settings.model_dump(mode="json"))

    with pytest.raises(ConfigError) as caught:
        load_config(write_config(BROKEN))
    assert SECRET not in str(caught.value)
    assert SECRET not in json.dumps([p.as_json() for p in caught.value.problems])

    stream = io.StringIO()
    configure_logging(json=True, stream=stream)
    log = structlog.get_logger("test")
    log.info("config.loaded", settings=settings, crm=settings.crm["sf"].options, password=SECRET)
    assert stream.getvalue()
    assert SECRET not in stream.getvalue()
    assert json.loads(stream.getvalue())["password"] == "[redacted]"


def test_a_database_password_is_hidden_from_the_settings_repr(write_config) -> None:
    settings = load_config(write_config(f'[sync]\nstate_url = "postgresql+psycopg://u:{SECRET}@db/x"\n'))
    assert SECRET not in repr(settings)
    assert settings.sync.state_url.password == SECRET


def test_credentials_are_masked_in_nested_tables(write_config) -> None:
    settings = load_config(
        write_config(
            '[crm.hub]\nadapter = "hubspot"\naccess_token = "123456789"\n'
            '[crm.hub.oauth]\nclient_secret = "NESTED-s3cret"\n'
        )
    )
    shown = repr(settings)
    assert "123456789" not in shown
    assert "NESTED-s3cret" not in shown


def test_a_credential_that_is_not_text_is_refused_without_showing_it(write_config) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config('[crm.hub]\nadapter = "hubspot"\naccess_token = 123456789\n'))
    assert "crm.hub.access_token" in [problem.path for problem in caught.value.problems]
    assert "123456789" not in str(caught.value)


def test_durations_beyond_a_year_are_refused_not_crashing(write_config) -> None:
    assert "sync.interval" in problems_of(write_config('[sync]\ninterval = "99999999999d"\n'))


def test_a_crm_introduced_by_the_environment_needs_a_valid_name_too(
    write_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADSYNC_CRM__Bad.Name__ADAPTER", "hubspot")
    assert any(path.startswith("crm.bad.name") for path in problems_of(write_config("")))
