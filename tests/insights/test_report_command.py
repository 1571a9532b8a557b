"""`leadsync report` on a stored funnel: JSON, tables, --since, --output, and its input errors."""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner, Result

from leadsync.cli import app
from leadsync.definitions import load_definitions
from leadsync.insights import ReportView, funnel_report
from leadsync.store import Store
from tests.insights.funnel_fixture import NOW, day, fill

runner = CliRunner()


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config naming a SQLite store that holds the hand-made funnel."""
    folder = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{folder / 'state.db'}"
    with Store.open(url) as store:
        fill(store)
    path = folder / "leadsync.toml"
    path.write_text(f'[sync]\nstate_url = "{url}"\n', encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _at_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def invoke(config: Path, *args: str) -> Result:
    return runner.invoke(app, ["report", "--config", str(config), *args])


def test_json_is_the_report_of_the_store(config: Path) -> None:
    result = invoke(config, "--format", "json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    url = f"sqlite:///{config.parent / 'state.db'}"
    with Store.open(url) as store:
        assert document == funnel_report(store, load_definitions(), now=NOW).as_json()
    assert [s["people"] for s in document["stages"]] == [0, 1, 4, 0, 3, 0, 1]
    assert [b["email"] for b in document["sla_breaches"]] == ["eve@example.com", "cat@example.com"]


def test_since_takes_a_date_as_its_midnight_utc(config: Path) -> None:
    result = invoke(config, "--format", "json", "--since", "2026-11-21")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["since"] == day(20).isoformat()
    assert document["volume_by_source"] == {"ads": {"cold": 1, "warm": 0, "hot": 2}}


def test_since_takes_a_datetime_with_its_zone(config: Path) -> None:
    result = invoke(config, "--format", "json", "--since", "2026-11-21T02:00+02:00")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["since"] == day(20).isoformat()


def test_a_bad_since_names_the_option(config: Path) -> None:
    result = invoke(config, "--since", "last week")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "--since 'last week' is not a date or datetime" in result.stderr


def test_tables_show_every_figure(config: Path) -> None:
    result = invoke(config)

    assert result.exit_code == 0, result.output
    lines = [" ".join(line.replace("│", " ").split()) for line in result.stdout.splitlines()]
    assert lines[0].startswith("funnel at 2026-12-01 00:00 UTC: records per CRM as last read")
    # the pivot: hubspot records and %, salesforce records and %, people, cold warm hot none, to next
    assert "sql 2 40.0% 1 25.0% 4 1 0 3 0 33.3%" in lines
    assert "customer 2 40.0% 1 25.0% 3 0 1 1 1" in lines
    assert [line.split()[0] for line in lines[5:12]] == [
        "lead", "mql", "sql", "opportunity", "customer", "nurture", "disqualified"
    ]  # fmt: skip
    assert "lead mql 7 6 85.7%" in lines
    assert "opportunity 84.0 132.0 2" in lines  # median, p90, stays
    assert "7.0 2" in lines  # sales cycle: median days, customers
    assert "2 sql without follow-up within 24 h, all time" in lines
    assert "eve@example.com 2026-11-29 00:00 UTC 48.0 sam@example.com" in lines
    assert "webinar 0 2 0 1 3" in lines  # new people by source: cold, warm, hot, none, total


def test_output_writes_the_document_to_a_file(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "funnel.json"

    result = invoke(config, "--format", "json", "--output", str(target))

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["crms"] == ["hubspot", "salesforce"]


def test_an_unwritable_output_is_an_input_error(config: Path, tmp_path: Path) -> None:
    result = invoke(config, "--format", "json", "--output", str(tmp_path / "missing" / "funnel.json"))

    assert result.exit_code == 1
    assert "--output" in result.stderr


def test_html_goes_to_the_output_file(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "funnel.html"

    result = invoke(config, "--format", "html", "--output", str(target))

    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert "<html" in page.lower()
    assert "eve@example.com" in page  # an SLA breach of the stored funnel


def test_csv_holds_one_view_with_raw_values(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "funnel.csv"

    result = invoke(config, "--format", "csv", "--view", "funnel", "--output", str(target))

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [row["stage"] for row in rows] == [
        "lead", "mql", "sql", "opportunity", "customer", "nurture", "disqualified"
    ]  # fmt: skip
    sql = rows[2]
    assert (sql["hubspot_records"], sql["hubspot_share"], sql["people"], sql["people_hot"]) == (
        "2",
        "0.4",
        "4",
        "3",
    )
    assert sql["conversion_rate"] == str(2 / 6)
    assert rows[-1]["conversion_rate"] == ""  # a side state converts to no next stage


@pytest.mark.parametrize("view", [view.value for view in ReportView])
def test_every_view_prints_as_csv_json_table_and_html(config: Path, view: str) -> None:
    table = invoke(config, "--view", view)
    as_csv = invoke(config, "--view", view, "--format", "csv")
    as_json = invoke(config, "--view", view, "--format", "json")
    page = invoke(config, "--view", view, "--format", "html")

    assert [r.exit_code for r in (table, as_csv, as_json, page)] == [0, 0, 0, 0], as_csv.output
    document = json.loads(as_json.stdout)
    header = next(csv.reader(as_csv.stdout.splitlines()))
    assert document["view"] == view
    assert len(list(csv.reader(as_csv.stdout.splitlines()))) == len(document["rows"]) + 1
    assert all(list(row) == header for row in document["rows"])
    assert document["title"] in " ".join(table.stdout.split())
    assert html.escape(document["title"], quote=False) in page.stdout


def test_csv_without_a_view_is_a_usage_error(config: Path) -> None:
    result = invoke(config, "--format", "csv")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--view" in result.stderr


def test_until_and_filters_keep_the_report_to_a_range_and_to_people(config: Path) -> None:
    result = invoke(
        config,
        "--view",
        "cohorts",
        "--format",
        "json",
        "--since",
        "2026-11-21",
        "--until",
        "2026-11-28",
        "--owner",
        "sam@example.com",
        "--crm",
        "hubspot",
    )

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["title"].endswith("until 2026-11-29 00:00 UTC, crm hubspot, owner sam@example.com")
    # --until 2026-11-28 counts that whole day. P5 (sam's, in hubspot) entered on day 25, in the week
    # of 23 November, and reached sql.
    assert [(row["week"], row["entered"], row["reached_sql"]) for row in document["rows"]] == [
        ("2026-11-16", 0, 0),
        ("2026-11-23", 1, 1),
    ]


def test_a_bad_until_names_the_option(config: Path) -> None:
    result = invoke(config, "--until", "soon")

    assert result.exit_code == 1
    assert "--until 'soon' is not a date or datetime" in result.stderr
