from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from typer.testing import CliRunner

from leadsync.cli import app
from tests.conftest import REPO

runner = CliRunner()
DEFINITIONS = REPO / "mappings" / "definitions.toml"

PEOPLE = [
    {
        "email": " CEO@Acme.example ",
        "title": "CEO",
        "employees": 300,
        "industry": "Software",
        "country": "JP",
        "activities": [
            {"kind": "pricing_page_view", "occurred_at": "2026-11-23T09:00:00Z"},
            {"kind": "quote_request", "occurred_at": "2026-11-23T09:05:00Z"},
        ],
    },
    {"email": "bad address", "title": "CEO"},
    {
        "email": "m@beta.example",
        "title": "Manager",
        "employees": 100,
        "country": "FR",
        "source": "Organic",
        "ceo_pet": "cat",
        "activities": [
            {"kind": "webinar_attended", "occurred_at": "2026-11-23T08:00:00Z"},
            {"kind": "product_page_view", "occurred_at": "2026-11-23T08:30:00Z"},
            {"kind": "product_page_view", "occurred_at": "2026-11-23T08:40:00Z"},
            {"kind": "product_page_view", "occurred_at": "2026-11-23T08:50:00Z"},
            {"kind": "demo_request", "occurred_at": "2027-02-01T00:00:00Z"},
        ],
    },
    {"email": "s@acme.example", "title": "Manager", "stage": "Prospect", "stage_set_by": "human"},
    {"email": "x@acme.example", "activities": [{"kind": "webinar", "occurred_at": "2026-11-20T00:00:00Z"}]},
]


def write_people(tmp_path: Path, people: list[dict] = PEOPLE) -> Path:
    path = tmp_path / "people.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in people) + "\n\n", encoding="utf-8")
    return path


def evaluate_json(*args: str):
    result = runner.invoke(app, ["evaluate", *args, "--format", "json"])
    return result, [json.loads(line) for line in result.stdout.splitlines()]


def test_evaluate_prints_one_json_line_per_valid_person_in_input_order(tmp_path: Path) -> None:
    result, lines = evaluate_json(str(write_people(tmp_path)), "--as-of", "2026-11-23T12:00:00Z")
    assert result.exit_code == 1  # two bad lines
    assert [line["line"] for line in lines] == [1, 3, 4]
    first = lines[0]
    assert set(first) == {
        "line",
        "email",
        "stage",
        "stage_label",
        "score",
        "fit_score",
        "engagement_score",
        "grade",
        "profile",
        "temperature",
        "owner",
        "review",
        "reasons",
        "ignored",
        "definitions_version",
    }
    assert (first["email"], first["stage"], first["stage_label"]) == ("ceo@acme.example", "sql", "Prospect")
    assert (first["score"], first["fit_score"], first["engagement_score"], first["temperature"]) == (
        135,
        75,
        60,
        "hot",
    )
    assert (first["grade"], first["profile"], first["review"]) == ("A", "default", None)
    assert first["owner"] == "sales-ops@example.com"  # no territory covers JP: the fallback
    assert sum(r["points"] for r in first["reasons"]) == 135
    assert all(set(r) == {"rule", "points", "detail"} for r in first["reasons"])
    third = lines[1]
    assert (third["score"], third["temperature"], third["grade"]) == (70, "warm", "C")
    assert third["stage"] == "mql"
    assert third["ignored"] == [
        {"kind": "demo_request", "occurred_at": "2027-02-01T00:00:00+00:00", "reason": "after --as-of"}
    ]
    assert lines[2]["stage"] == "sql"  # "Prospect" is the label of sql, set by a human: kept


def test_bad_lines_are_reported_on_stderr_and_the_rest_evaluated(tmp_path: Path) -> None:
    result, _ = evaluate_json(str(write_people(tmp_path)), "--as-of", "2026-11-23T12:00:00Z")
    errors = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [e["line"] for e in errors] == [2, 5]
    assert "invalid e-mail" in errors[0]["error"]
    assert "valid kinds" in errors[1]["error"]


def test_all_good_lines_exit_0(tmp_path: Path) -> None:
    result, lines = evaluate_json(str(write_people(tmp_path, [PEOPLE[0]])), "--as-of", "2026-11-23T12:00:00Z")
    assert result.exit_code == 0
    assert len(lines) == 1


def test_what_if_two_definitions_on_one_file(tmp_path: Path) -> None:
    stricter = tmp_path / "stricter.toml"
    stricter.write_text(
        DEFINITIONS.read_text().replace("bands = { A = 70, B = 50", "bands = { A = 80, B = 60"),
        encoding="utf-8",
    )
    people = str(write_people(tmp_path, [PEOPLE[0]]))
    _, today = evaluate_json(people, "--as-of", "2026-11-23T12:00:00Z", "--definitions", str(DEFINITIONS))
    _, what_if = evaluate_json(people, "--as-of", "2026-11-23T12:00:00Z", "--definitions", str(stricter))
    assert (today[0]["grade"], what_if[0]["grade"]) == ("A", "B")
    assert today[0]["definitions_version"] != what_if[0]["definitions_version"]


def test_decay_takes_a_person_across_a_threshold_as_time_passes(tmp_path: Path) -> None:
    people = str(
        write_people(
            tmp_path,
            [
                {
                    "email": "w@acme.example",
                    "title": "Manager",
                    "employees": 100,
                    "activities": [
                        {"kind": kind, "occurred_at": "2026-11-20T00:00:00Z"}
                        for kind in ("webinar_attended", "webinar_attended", "product_page_view")
                    ],
                }
            ],
        )
    )
    with time_machine.travel(datetime(2026, 11, 21, tzinfo=UTC), tick=False):
        _, soon = evaluate_json(people)
    with time_machine.travel(datetime(2027, 1, 20, tzinfo=UTC), tick=False):
        _, later = evaluate_json(people)
    assert (soon[0]["score"], soon[0]["temperature"]) == (54, "warm")  # 20 + 35 x 0.5^(1 / 45) = 54.46
    assert (later[0]["score"], later[0]["temperature"]) == (34, "cold")  # 20 + 35 x 0.5^(61 / 45) = 33.7


def test_evaluate_uses_the_config_definitions(tmp_path: Path, write_config) -> None:
    custom = tmp_path / "defs.toml"
    custom.write_text(DEFINITIONS.read_text().replace('name = "default"', 'name = "ours"'), encoding="utf-8")
    config = write_config('[definitions]\npath = "defs.toml"\n')
    result = runner.invoke(
        app, ["evaluate", str(write_people(tmp_path, [PEOPLE[0]])), "--config", str(config)]
    )
    assert result.exit_code == 0
    assert "definitions ours" in result.stdout


def test_evaluate_table_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(write_people(tmp_path)), "--as-of", "2026-11-23T12:00:00Z"])
    assert result.exit_code == 1
    assert "ceo@acme.example" in result.stdout
    assert "Prospect" in result.stdout


def test_evaluate_rejects_a_bad_as_of_as_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(write_people(tmp_path)), "--as-of", "yesterday"])
    assert result.exit_code == 2


def test_definitions_check_ok_and_failing(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["definitions", "check", str(DEFINITIONS), "--format", "json"])
    assert ok.exit_code == 0
    assert json.loads(ok.stdout) == {"ok": True, "errors": [], "warnings": []}
    broken = tmp_path / "broken.toml"
    broken.write_text(
        DEFINITIONS.read_text()
        .replace("hot_above = 60", "hot_above = 10")
        .replace('fallback = "sales-ops@', 'fallback = "sales ops@'),
        encoding="utf-8",
    )
    failed = runner.invoke(app, ["definitions", "check", str(broken), "--format", "json"])
    assert failed.exit_code == 1
    document = json.loads(failed.stdout)
    assert document["ok"] is False
    assert {e["path"] for e in document["errors"]} == {"temperature.hot_above", "owners.fallback"}
    assert all(set(e) == {"file", "path", "message", "hint"} for e in document["errors"])


def test_definitions_show_as_tables_and_json() -> None:
    tables = runner.invoke(app, ["definitions", "show"])
    assert tables.exit_code == 0
    for heading in ("Funnel", "Fit points", "Engagement points", "Owners", "SLA"):
        assert heading in tables.stdout
    shown = runner.invoke(app, ["definitions", "show", "--format", "json"])
    document = json.loads(shown.stdout)
    assert [s["stage"] for s in document["funnel"]] == [
        "lead",
        "mql",
        "sql",
        "opportunity",
        "customer",
        "nurture",
        "disqualified",
    ]
    assert document["owners"]["assign_from"] == "mql"
    assert {"kind": "pricing_page_view", "points": 20, "cap": 40, "half_life_days": 45.0} in (
        document["scoring"]["engagement"]
    )


def test_evaluate_reads_a_bom_and_line_separators_inside_strings(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    lines = [
        json.dumps({"email": "a@acme.example", "title": "CEO\u2028Founder"}, ensure_ascii=False),
        '{"email": "b@acme.example", "employees": ' + "1" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"email": "c@acme.example"}),
    ]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    result, documents = evaluate_json(str(path), "--as-of", "2026-11-23T12:00:00Z")
    assert [d["line"] for d in documents] == [1, 4]
    errors = [json.loads(line)["line"] for line in result.stderr.splitlines() if line.startswith("{")]
    assert errors == [2, 3]
