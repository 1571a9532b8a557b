"""The mirror tolerance is a shared definition: `[activities] mirror_tolerance_seconds`, used each cycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leadsync.definitions import Definitions, default_definitions_path, load_definitions
from leadsync.engine.deciding import Decider
from leadsync.exceptions import ConfigError
from leadsync.model import Activity, ActivityKind, Person, RecordRef
from leadsync.store import PersonFile, PersonId, PersonState

AT = datetime(2026, 11, 20, 9, 59, 30, tzinfo=UTC)
SHIPPED = "mirror_tolerance_seconds = 120"
HS = RecordRef("hubspot", "contacts", "7")
SF = RecordRef("salesforce", "Lead", "00Q1")


def _definitions(tmp_path: Path, line: str) -> Definitions:
    text = default_definitions_path().read_text(encoding="utf-8")
    assert SHIPPED in text
    path = tmp_path / "definitions.toml"
    path.write_text(text.replace(SHIPPED, line), encoding="utf-8")
    return load_definitions(path)


def test_the_shipped_tolerance_is_two_minutes() -> None:
    assert load_definitions().source.activities.mirror_tolerance_seconds == 120


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("mirror_tolerance_seconds = -1", "greater than or equal to 0"),
        ("mirror_tolerance_seconds = 3601", "less than or equal to 3600"),
        ('mirror_tolerance_seconds = "2m"', "valid number"),
        ("mirror_tolerance = 120", "unknown key"),
    ],
)
def test_a_bad_tolerance_names_the_key_and_the_problem(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _definitions(tmp_path, line)

    [problem] = caught.value.problems
    assert problem.file.endswith("definitions.toml")
    assert problem.path.startswith("activities.mirror_tolerance")
    assert message in problem.message
    assert problem.hint


def test_each_cycle_pairs_copies_within_the_tolerance_of_the_definitions(tmp_path: Path) -> None:
    """A page view and its copy 90 s later: one view under the default, two under 60 s."""
    view = Activity(RecordRef("hubspot", "events", "1"), HS, ActivityKind.PAGE_VIEW, AT)
    copy = Activity(
        RecordRef("salesforce", "Task", "1"), SF, ActivityKind.PAGE_VIEW, AT + timedelta(seconds=90)
    )
    file = PersonFile(
        PersonState(PersonId(1), "ada@example.com"),
        {HS: Person(HS, "ada@example.com"), SF: Person(SF, "ada@example.com")},
        (view, copy),
    )

    def engagement(definitions: Definitions) -> int:
        decider = Decider(
            definitions,
            as_of=AT + timedelta(hours=1),
            writable=lambda _ref, values: dict(values),
            active_owners={},
            round_robin={},
        )
        decision = decider.decide(file).decision
        assert decision is not None
        return decision.engagement_score

    assert engagement(load_definitions()) == 1
    assert engagement(_definitions(tmp_path, "mirror_tolerance_seconds = 60")) == 2
