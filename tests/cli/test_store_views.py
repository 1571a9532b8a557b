from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadsync.adapter_api import Rejection, WriteResult
from leadsync.cli import app
from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store import ApiCalls, AuditEntry, RunStatus, StageChange, Store

runner = CliRunner()
T0 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)

LEAD = RecordRef("salesforce", "Lead", "00Q1")
CONTACT = RecordRef("hubspot", "contact", "901")
OTHER = RecordRef("hubspot", "contact", "902")


@pytest.fixture
def state(tmp_path: Path) -> tuple[Path, str]:
    """A config naming a fresh SQLite store, and the store's URL."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    config = tmp_path / "leadsync.toml"
    config.write_text(f'[sync]\nstate_url = "{url}"\n', encoding="utf-8")
    return config, url


def invoke(config: Path, *args: str, stdin: str | None = None):
    return runner.invoke(app, [*args, "--config", str(config)], input=stdin)


def test_runs_lists_newest_first_with_counts_and_api_calls(state) -> None:
    config, url = state
    with Store.open(url) as store:
        done = store.runs.start("main", at=T0)
        store.runs.finish(
            done.id,
            RunStatus.SUCCEEDED,
            at=T0 + timedelta(seconds=42.5),
            counts={"read": 120, "quarantined": 2, "changed": 7, "written": 7, "failed": 0, "skipped": 3},
            api_calls={"salesforce": ApiCalls(4, 4), "hubspot": ApiCalls(9, 6)},
        )
        running = store.runs.start("eu", at=T0 + timedelta(hours=1))

    result = invoke(config, "runs", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "runs": [
            {
                "id": running.id,
                "pipeline": "eu",
                "started_at": "2026-11-24T10:30:00+00:00",
                "finished_at": None,
                "duration_s": None,
                "status": "running",
                "counts": {},
                "api_calls": {},
            },
            {
                "id": done.id,
                "pipeline": "main",
                "started_at": "2026-11-24T09:30:00+00:00",
                "finished_at": "2026-11-24T09:30:42.500000+00:00",
                "duration_s": 42.5,
                "status": "succeeded",
                "counts": {
                    "read": 120,
                    "quarantined": 2,
                    "changed": 7,
                    "written": 7,
                    "failed": 0,
                    "skipped": 3,
                },
                "api_calls": {
                    "hubspot": {"calls": 9, "minimum": 6},
                    "salesforce": {"calls": 4, "minimum": 4},
                },
            },
        ]
    }

    table = invoke(config, "runs").stdout
    assert "2 latest runs (times in UTC)" in table
    assert table.index(running.id) < table.index(done.id)
    lines = table.splitlines()
    at = next(i for i, line in enumerate(lines) if done.id in line)
    assert [_cells(lines[at]), _cells(lines[at + 1])] == [
        [
            done.id,
            "main",
            "succeeded",
            "2026-11-24 09:30:00",
            "42.5",
            "120",
            "2",
            "7",
            "7",
            "0",
            "hubspot 9/6",
        ],
        ["", "", "", "2026-11-24 09:30:42", "", "", "", "", "", "", "salesforce 4/4"],
    ]
    assert "skipped" not in table  # only the common counts are columns; JSON has them all


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_runs_limit_keeps_the_newest(state) -> None:
    config, url = state
    with Store.open(url) as store:
        ids = [store.runs.start("main", at=T0 + timedelta(minutes=m)).id for m in range(3)]

    document = json.loads(invoke(config, "runs", "--limit", "2", "--format", "json").stdout)

    assert [run["id"] for run in document["runs"]] == [ids[2], ids[1]]


def test_runs_on_an_empty_store(state) -> None:
    config, _ = state
    result = invoke(config, "runs", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"runs": []}


def _quarantine_three(url: str) -> None:
    with Store.open(url) as store:
        store.quarantine.put([Rejection(CONTACT, "no e-mail", '{"id": "901"}')], at=T0)
        store.quarantine.put(
            [Rejection(OTHER, "no e-mail", '{"id": "902", "token": "abc123"}')], at=T0 + timedelta(hours=1)
        )
        store.quarantine.put(
            [Rejection(LEAD, "unknown stage 'Warm'", "Status=Warm")], at=T0 + timedelta(hours=2)
        )
        store.quarantine.put([Rejection(CONTACT, "no e-mail", '{"id": "901"}')], at=T0 + timedelta(hours=3))


def test_quarantine_json_counts_reasons_and_lists_latest_first(state) -> None:
    config, url = state
    _quarantine_three(url)

    result = invoke(config, "quarantine", "--format", "json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["total"] == 3
    assert document["truncated"] is False
    assert document["by_reason"] == {"no e-mail": 2, "unknown stage 'Warm'": 1}
    assert document["records"][0] == {
        "crm": "hubspot",
        "object_type": "contact",
        "record_id": "901",
        "reason": "no e-mail",
        "excerpt": '{"id": "901"}',
        "first_seen_at": "2026-11-24T09:30:00+00:00",
        "last_seen_at": "2026-11-24T12:30:00+00:00",
    }
    assert [r["record_id"] for r in document["records"]] == ["901", "00Q1", "902"]
    assert "abc123" not in result.stdout  # the store cut the secret out of the excerpt


def test_quarantine_filters_by_crm_and_says_when_truncated(state) -> None:
    config, url = state
    _quarantine_three(url)

    hubspot = json.loads(invoke(config, "quarantine", "--crm", "hubspot", "--format", "json").stdout)
    assert [r["record_id"] for r in hubspot["records"]] == ["901", "902"]
    assert hubspot["by_reason"] == {"no e-mail": 2}

    first = json.loads(invoke(config, "quarantine", "--limit", "1", "--format", "json").stdout)
    assert first["total"] == 1
    assert first["truncated"] is True
    assert [r["record_id"] for r in first["records"]] == ["901"]


def test_quarantine_table_shows_reason_counts_then_records(state) -> None:
    config, url = state
    _quarantine_three(url)

    result = invoke(config, "quarantine", "--crm", "salesforce")

    assert result.exit_code == 0, result.output
    assert "1 quarantined record" in result.stdout
    lines = result.stdout.splitlines()
    reason_line = next(line for line in lines if "unknown stage 'Warm'" in line and "│ 1" in line)
    record_line = next(line for line in lines if "00Q1" in line)
    assert lines.index(reason_line) < lines.index(record_line)
    assert _cells(record_line) == [
        "salesforce",
        "Lead",
        "00Q1",
        "unknown stage 'Warm'",
        "Status=Warm",
        "2026-11-24 11:30:00",
        "2026-11-24 11:30:00",
    ]
    assert "901" not in result.stdout

    limited = invoke(config, "quarantine", "--limit", "2").stdout
    assert "2 quarantined records (more kept: raise --limit above 2)" in limited


def test_quarantine_lists_failed_writes_per_record_and_runs_count_them_per_crm(state) -> None:
    config, url = state
    with Store.open(url) as store:
        run = store.runs.start("main", at=T0)
        store.runs.finish(
            run.id, RunStatus.PARTIAL, at=T0 + timedelta(seconds=3),
            counts={"written": 5, "failed": 3, "failed.salesforce": 2, "failed.hubspot": 1}, api_calls={},
        )  # fmt: skip
        lock = WriteResult(
            LEAD, ok=False, code="UNABLE_TO_LOCK_ROW", message="unable to obtain exclusive access"
        )
        store.write_failures.record([lock], run_id=run.id, at=T0)
        store.write_failures.record([lock], run_id=run.id, at=T0 + timedelta(hours=1))
        option = WriteResult(
            CONTACT, ok=False, code="INVALID_OPTION", message="secret=hunter2 is not an option"
        )
        store.write_failures.record([option], run_id=run.id, at=T0)

    document = json.loads(invoke(config, "quarantine", "--format", "json").stdout)
    assert document["write_failures"] == {
        "total": 2,
        "truncated": False,
        "records": [
            {
                "crm": "salesforce", "object_type": "Lead", "record_id": "00Q1", "code": "UNABLE_TO_LOCK_ROW",
                "message": "unable to obtain exclusive access", "attempts": 2,
                "first_failed_at": "2026-11-24T09:30:00+00:00", "last_failed_at": "2026-11-24T10:30:00+00:00",
                "run_id": run.id,
            },
            {
                "crm": "hubspot", "object_type": "contact", "record_id": "901", "code": "INVALID_OPTION",
                "message": "secret=[redacted] is not an option", "attempts": 1,
                "first_failed_at": "2026-11-24T09:30:00+00:00", "last_failed_at": "2026-11-24T09:30:00+00:00",
                "run_id": run.id,
            },
        ],
    }  # fmt: skip
    table = invoke(config, "quarantine", "--crm", "hubspot").stdout
    assert "1 record whose last write failed" in table
    assert "INVALID_OPTION" in table
    assert "UNABLE_TO_LOCK_ROW" not in table
    assert "hunter2" not in table
    runs = invoke(config, "runs").stdout
    assert "hubspot 1" in runs
    assert "salesforce 2" in runs


def _two_people(url: str) -> None:
    with Store.open(url) as store:
        jane = store.links.link(LEAD, "jane@acme.example")
        store.links.link(CONTACT, "Jane@Acme.example")
        grace = store.links.link(OTHER, "grace@beta.example")
        store.stage_history.append(
            [
                StageChange(jane, None, Stage.MQL, T0, SetBy.LEADSYNC),
                StageChange(jane, Stage.MQL, Stage.SQL, T0 + timedelta(days=1), SetBy.HUMAN),
                StageChange(grace, None, Stage.LEAD, T0, SetBy.LEADSYNC),
            ]
        )
        run = store.runs.start("main", at=T0)
        store.audit.append(
            [
                AuditEntry(run.id, LEAD, "stage", "lead", "mql", "v1", T0),
                AuditEntry(run.id, OTHER, "stage", None, "lead", "v1", T0),
            ]
        )
        store.quarantine.put([Rejection(CONTACT, "bad score")], at=T0)
        store.write_failures.record(
            [WriteResult(LEAD, ok=False, code="UNABLE_TO_LOCK_ROW")], run_id=run.id, at=T0
        )


def test_forget_erases_the_person_and_a_second_forget_finds_nothing(state) -> None:
    config, url = state
    _two_people(url)

    result = invoke(config, "forget", "JANE@acme.example", "--yes", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "people": 1,
        "records": 2,
        "stage_changes": 2,
        "audit_entries": 1,
        "quarantined": 1,
        "write_failures": 1,
    }
    assert "grace@beta.example" not in result.output
    with Store.open(url) as store:
        assert store.links.person_by_email("jane@acme.example") is None
        assert store.links.people_of([LEAD, CONTACT]) == {}
        assert store.quarantine.entries() == []
        assert store.write_failures.entries() == []
        assert store.links.person_by_email("grace@beta.example") is not None

    again = invoke(config, "forget", "jane@acme.example", "--yes", "--format", "json")
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {
        "people": 0,
        "records": 0,
        "stage_changes": 0,
        "audit_entries": 0,
        "quarantined": 0,
        "write_failures": 0,
    }


def test_forget_table_says_what_was_erased_and_that_crms_are_untouched(state) -> None:
    config, url = state
    _two_people(url)

    result = invoke(config, "forget", "jane@acme.example", "--yes")

    assert result.exit_code == 0, result.output
    rows = {cells[0]: cells[1] for line in result.stdout.splitlines() if len(cells := _cells(line)) == 2}
    assert rows == {
        "people": "1",
        "records": "2",
        "stage changes": "2",
        "audit entries": "1",
        "quarantined": "1",
        "write failures": "1",
    }
    assert "The CRMs were left untouched" in result.stdout
    assert "grace@beta.example" not in result.output

    again = invoke(config, "forget", "jane@acme.example", "--yes")
    assert "No one with this e-mail was in the state store." in again.stdout


def test_forget_asks_first_and_a_no_erases_nothing(state) -> None:
    config, url = state
    _two_people(url)

    declined = invoke(config, "forget", "jane@acme.example", "--format", "json", stdin="n\n")

    assert declined.exit_code == 1
    # The question goes to stderr; CliRunner echoes the typed "n" on stdout, a terminal would not.
    assert declined.stdout.strip() == "n"
    assert "Erase jane@acme.example from the state store?" in declined.stderr
    assert "Nothing erased." in declined.stderr
    with Store.open(url) as store:
        assert store.links.person_by_email("jane@acme.example") is not None

    confirmed = invoke(config, "forget", "jane@acme.example", "--format", "json", stdin="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert json.loads(confirmed.stdout.splitlines()[-1])["people"] == 1


def test_forget_rejects_an_address_that_is_not_one(state) -> None:
    config, url = state
    _two_people(url)

    result = invoke(config, "forget", "jane at acme", "--yes")

    assert result.exit_code == 1
    assert "invalid e-mail" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", [["runs"], ["quarantine"], ["forget", "jane@acme.example", "--yes"]])
def test_a_missing_config_is_named_on_stderr_with_exit_1(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "nowhere.toml"

    result = invoke(missing, *command)

    assert result.exit_code == 1
    assert str(missing) in result.stderr
    assert "file not found" in result.stderr
    assert result.stdout == ""


def test_an_unreachable_store_is_reported_without_its_password(tmp_path: Path) -> None:
    config = tmp_path / "leadsync.toml"
    config.write_text(
        '[sync]\nstate_url = "postgresql+psycopg://sync:hunter2@127.0.0.1:1/state?connect_timeout=3"\n',
        encoding="utf-8",
    )

    result = invoke(config, "runs", "--format", "json")

    assert result.exit_code == 1
    assert "cannot open the state store" in result.stderr
    assert str(config) in result.stderr
    assert "hunter2" not in result.output
    assert result.stdout == ""
