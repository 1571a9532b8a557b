"""The shipped definitions against the cases that quote the articles behind them.

`mappings/definitions-cases.jsonl` holds one person per line with the sentence it encodes
and what the definitions must decide; `leadsync evaluate` checks such a file the same way.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from leadsync.cli import app
from leadsync.cli.evaluate import Evaluated, evaluated_people
from tests.unit.definitions.helpers import DEFAULTS

CASES = Path(__file__).parents[3] / "mappings" / "definitions-cases.jsonl"
AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # the instant the cases' activity dates are written for


def evaluated() -> list[Evaluated]:
    results = list(evaluated_people(CASES.read_text(encoding="utf-8").splitlines(), DEFAULTS, AS_OF))
    assert all(isinstance(item, Evaluated) for item in results)
    return [item for item in results if isinstance(item, Evaluated)]


def test_every_case_quotes_a_sentence_and_expects_something() -> None:
    cases = evaluated()
    assert len(cases) >= 25
    assert all(len(case.parsed.quote) > 20 and case.parsed.expect for case in cases)


def test_the_shipped_definitions_decide_every_case_as_the_articles_say() -> None:
    differing = {case.parsed.person.email: case.mismatches for case in evaluated() if case.mismatches}
    assert differing == {}


def test_the_cases_cover_the_funnel_the_temperatures_and_both_profiles() -> None:
    decisions = [case.decision for case in evaluated()]
    assert {str(d.stage) for d in decisions} >= {
        "lead",
        "mql",
        "sql",
        "nurture",
        "opportunity",
        "disqualified",
    }
    assert {str(d.temperature) for d in decisions} == {"cold", "warm", "hot"}
    assert {d.profile for d in decisions} == {p.name for p in DEFAULTS.profiles}
    assert any(d.review for d in decisions)


def test_evaluate_exits_1_and_names_the_difference_when_a_case_is_not_met(tmp_path: Path) -> None:
    line = json.loads(CASES.read_text(encoding="utf-8").splitlines()[0])
    line["expect"] = {"stage": "Prospect", "grade": "A"}  # a label is read as its stage
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["evaluate", str(cases), "--as-of", AS_OF.isoformat(), "--format", "json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["expect"] == {"ok": False, "mismatches": ["stage: lead, expected sql"]}
