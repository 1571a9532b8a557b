"""Fuzzing the input edges: whatever an admin writes, whatever a CRM or a JSON line holds.

The config, mapping and definitions loaders get the shipped files mutated two ways — as
text (characters spliced in or cut out anywhere) and as structure (keys dropped, renamed or
added, values swapped for any TOML type, dates and times included) — and must end in a
loaded value or one ConfigError whose every problem names the file and says what is wrong.
`evaluate` gets generated people and activities, extreme dates and texts included, and must
return a decision whose reasons add up; `leadsync evaluate` lines get any JSON and must end
in a person or a LineError. Hypothesis runs derandomized with no example database, so CI
replays the same examples.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsync.config import load_config
from leadsync.definitions import Definitions, evaluate, load_definitions
from leadsync.definitions.loader import default_definitions_path
from leadsync.exceptions import ConfigError, ModelError
from leadsync.mapping import CrmMapping, load_mapping
from leadsync.model import Activity, ActivityKind, JobLevel, Person, RecordRef, SetBy, Stage
from leadsync.people_lines import LineError, parse_person_line
from leadsync.problems import Problem
from tests.conftest import REPO

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

Loader = Callable[[Path], object]
INPUTS: dict[str, tuple[Path, Loader]] = {
    "config": (REPO / "config.example.toml", load_config),
    "salesforce-mapping": (REPO / "adapters" / "salesforce" / "mapping.toml", load_mapping),
    "hubspot-mapping": (REPO / "adapters" / "hubspot" / "mapping.toml", load_mapping),
    "definitions": (default_definitions_path(), load_definitions),
}

AS_OF = datetime(2026, 11, 23, 12, tzinfo=UTC)
REF = RecordRef("fuzz", "Lead", "1")
RAW_RECORD = {
    "Id": "1", "Email": "Jean@Bücher.DE", "email": "a@b.example", "Title": "VP Sales", "Status": "Qualified",
    "NumberOfEmployees": 240, "CreatedDate": "2026-01-02T03:04:05.000+0000", "WhoId": "00Q1",
    "Subject": "Demo request", "TaskSubtype": "Call", "createdate": "1700000000000", "lifecyclestage": "lead",
}  # fmt: skip
SAMPLES = [
    (Person(REF, "a@acme.example", title="CEO", employees=240, country="FR", created_at=AS_OF), []),
    (
        Person(REF, "b@acme.example", title="Étudiant", stage=Stage.SQL, stage_set_by=SetBy.HUMAN),
        [Activity(RecordRef("fuzz", "Task", "1"), REF, ActivityKind.DEMO_REQUEST, AS_OF - timedelta(days=1))],
    ),
]

# -- values of every TOML type ---------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8"), max_size=16)  # any character TOML can hold
_words = st.sampled_from(
    ["", "lead", "mql", "sql", "hot", "cold", "Email", "email", "score", "stage", "owner", "15m", "FR",
     "page_view", "salesforce", "hubspot", "0 * * * *", "sqlite:///x.db", "a@b.example", "skip", "int"]
)  # fmt: skip
_scalars = st.one_of(
    _words,
    _text,
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-11))])),
    st.datetimes(),  # a TOML local date-time: no offset
    st.dates(),
    st.times(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.one_of(_words, _text), inner, max_size=3)
    ),
    max_leaves=8,
)


# -- mutations -------------------------------------------------------------------------------


def _containers(node: object, found: list[dict[str, Any] | list[Any]]) -> list[dict[str, Any] | list[Any]]:
    """Every table and array in the document, depth first."""
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            _containers(value, found)
    elif isinstance(node, list):
        found.append(node)
        for value in node:
            _containers(value, found)
    return found


@st.composite
def _mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """The document after one to four structural edits at places drawn anywhere in it."""
    mutated = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        containers = _containers(mutated, [])
        target = containers[draw(st.integers(0, len(containers) - 1))]
        action = draw(st.sampled_from(["drop", "replace", "nudge", "nudge", "add", "rename"]))
        if isinstance(target, list):
            if target and action in ("drop", "rename"):
                del target[draw(st.integers(0, len(target) - 1))]
            elif target and action in ("replace", "nudge"):
                i = draw(st.integers(0, len(target) - 1))
                target[i] = draw(_like(target[i]) if action == "nudge" else _values)
            else:
                target.append(draw(_values))
            continue
        keys = sorted(target)
        if not keys or action == "add":
            target[draw(st.one_of(_words, _text))] = draw(_values)
            continue
        key = draw(st.sampled_from(keys))
        if action == "drop":
            del target[key]
        elif action in ("replace", "nudge"):
            target[key] = draw(_like(target[key]) if action == "nudge" else _values)
        else:
            target[draw(st.one_of(_words, _text))] = target.pop(key)
    return mutated


def _like(value: object) -> st.SearchStrategy[Any]:
    """A value of the same type as `value`, often at an edge: zero, negative, huge, empty."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.one_of(st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, -(2**63)]), st.integers())
    if isinstance(value, float):
        return st.one_of(st.sampled_from([0.0, -0.0, -1.0, 1e308, float("inf"), float("nan")]), st.floats())
    if isinstance(value, str):
        return st.one_of(_words, _text, st.just(value.upper()), st.just(value + value))
    if isinstance(value, list):
        return st.one_of(st.just([]), st.just(value[:1]), st.just(value + value), st.just(value[::-1]))
    return _values


def _document(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _loads_or_lists_problems(load: Loader, path: Path) -> object | None:
    """What the loader returns, or None after one ConfigError whose problems all name `path`."""
    try:
        return load(path)
    except ConfigError as exc:
        problems = exc.problems
    assert problems, "a ConfigError with no problem in it"
    for problem in problems:
        assert problem.file == str(path), problem
        assert problem.message.strip(), problem
    return None


def _use(loaded: object) -> None:
    """Run what loaded: definitions decide sample people; a mapping reads and writes sample values."""
    if isinstance(loaded, Definitions):
        for person, activities in SAMPLES:
            evaluate(loaded, person, activities, as_of=AS_OF)
    elif isinstance(loaded, CrmMapping):
        for people in loaded.people.values():
            with contextlib.suppress(ModelError):
                people.to_person(RAW_RECORD, REF)
        for reader in loaded.activities.values():
            with contextlib.suppress(ModelError):
                reader.to_activity(RAW_RECORD, REF, REF)
        for write in loaded.write.values():
            for managed, value in (("stage", "sql"), ("temperature", "hot"), ("score", 7)):
                assert set(write.crm_values(managed, value)) <= write.target_fields()


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_a_structurally_mutated_shipped_file_loads_or_lists_its_problems(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source, load = INPUTS[name]
    folder = tmp_path_factory.mktemp(name)

    @FUZZ
    @given(document=_mutated(_document(source)))
    def check(document: dict[str, Any]) -> None:
        path = folder / source.name
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
        _use(_loads_or_lists_problems(load, path))

    check()


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_a_textually_mutated_shipped_file_loads_or_lists_its_problems(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source, load = INPUTS[name]
    text = source.read_text(encoding="utf-8")
    folder = tmp_path_factory.mktemp(name)
    splices = st.lists(
        st.tuples(st.integers(0, len(text)), st.integers(0, 40), st.text(max_size=12)), min_size=1, max_size=3
    )

    @FUZZ
    @given(edits=splices)
    def check(edits: list[tuple[int, int, str]]) -> None:
        edited = text
        for at, cut, inserted in edits:
            edited = edited[:at] + inserted + edited[at + cut :]
        path = folder / source.name
        path.write_bytes(edited.encode("utf-8", "surrogatepass"))
        _use(_loads_or_lists_problems(load, path))

    check()


_ENV_NAMES = [
    "SYNC", "SYNC__INTERVAL", "SYNC__CRON", "SYNC__STATE_URL", "GUARD", "GUARD__MAX_SHARE", "DEFINITIONS",
    "DEFINITIONS__PATH", "CRM", "CRM__SALESFORCE", "CRM__SALESFORCE__ADAPTER", "CRM__SALESFORCE__ENABLED",
    "CRM__SALESFORCE__WRITE_FIELDS", "CRM__SALESFORCE__SESSION_ID", "CRM__NEW__ADAPTER",
    "CRM__Bad Name__ADAPTER", "CRM____ADAPTER", "CRM__X__Y__Z",
]  # fmt: skip
_env_values = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
    st.sampled_from(['{}', '[]', '{"a": 1}', "null", "1", "true", '["score"]', '{"adapter": "x"}', '"',
                     '{"x": {"adapter": 1}}', '{"salesforce": null}', '{"": {}}']),
)  # fmt: skip


@FUZZ
@given(env=st.dictionaries(st.sampled_from(_ENV_NAMES), _env_values, max_size=3))
def test_any_leadsync_variables_over_the_example_config_load_or_list_their_problems(
    env: dict[str, str],
) -> None:
    variables = {f"LEADSYNC_{name}": value for name, value in env.items()}
    os.environ.update(variables)  # the autouse fixture of tests/conftest.py started from none
    problems: tuple[Problem, ...] = ()
    try:
        load_config(INPUTS["config"][0])
    except ConfigError as exc:
        problems = exc.problems or (Problem("", "", ""),)  # an empty list would be a bug
    finally:
        for name in variables:
            del os.environ[name]
    assert all(problem.message and problem.file for problem in problems)


# -- evaluate --------------------------------------------------------------------------------

DEFINITIONS = load_definitions()
_any_moment = st.datetimes(
    min_value=datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis takes naive bounds, then adds the zone
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.just(UTC),
)
_near_moment = st.integers(-800 * 86_400, 30 * 86_400).map(lambda s: AS_OF + timedelta(seconds=s))
_moments = st.one_of(_near_moment, _any_moment)
_emails = st.sampled_from(
    ["a@acme.example", "Jean@Bücher.DE", "юлия@почта.рф", "陈@例え.jp", "x@xn--bcher-kva.de"]
)
_strings = st.one_of(
    _text, _words, st.text(max_size=300), st.sampled_from(["CEO" * 2000, "\x00\x1b[31m\u202e"])
)


@st.composite
def _people(draw: st.DrawFn) -> Person:
    stage = draw(st.one_of(st.none(), st.sampled_from(list(Stage))))
    return Person(
        REF,
        draw(_emails),
        first_name=draw(_strings),
        last_name=draw(_strings),
        title=draw(_strings),
        job_level=draw(st.one_of(st.none(), st.sampled_from(list(JobLevel)))),
        company=draw(_strings),
        employees=draw(st.one_of(st.none(), st.integers(0, 2**63))),
        industry=draw(_strings),
        country=draw(st.one_of(_strings, st.sampled_from(["FR", "US", "fr", "JP"]))),
        source=draw(_strings),
        created_at=draw(st.one_of(st.none(), _moments)),
        updated_at=draw(st.one_of(st.none(), _moments)),
        stage=stage,
        stage_set_by=draw(st.sampled_from(list(SetBy))) if stage else None,
        owner_email=draw(st.one_of(st.none(), _emails)),
        qualification=draw(st.dictionaries(st.one_of(_words, _text), st.booleans(), max_size=5)),
        attributes=draw(st.dictionaries(st.one_of(_words, _text), _scalars, max_size=3)),
    )


_activities = st.lists(
    st.builds(
        lambda i, kind, moment, detail: Activity(
            RecordRef("fuzz", "Task", str(i)), REF, kind, moment, detail
        ),
        st.integers(0, 10**6),
        st.sampled_from(list(ActivityKind)),
        _moments,
        _strings,
    ),
    max_size=30,
)


@FUZZ
@given(person=_people(), activities=_activities, as_of=st.one_of(st.just(AS_OF), _any_moment))
def test_evaluate_decides_any_person_and_activities(
    person: Person, activities: list[Activity], as_of: datetime
) -> None:
    decision = evaluate(DEFINITIONS, person, activities, as_of=as_of, round_robin={"emea": 3})
    assert sum(reason.points for reason in decision.reasons) == decision.score
    assert {a.ref for a in decision.ignored} == {a.ref for a in activities if a.occurred_at > as_of}
    quick = evaluate(DEFINITIONS, person, activities, as_of=as_of, round_robin={"emea": 3}, explain=False)
    assert (quick.stage, quick.score, quick.owner) == (decision.stage, decision.score, decision.owner)


# -- `leadsync evaluate` lines ---------------------------------------------------------------

_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _text, _words,
    st.sampled_from(["2026-11-23T12:00:00Z", "2026-11-23T12:00:00", "9999-12-31T23:59:59+14:00", "nan"]),
)  # fmt: skip
_json = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)),
    max_leaves=6,
)
_LINE_KEYS = [
    "email", "first_name", "title", "job_level", "employees", "country", "created_at", "stage",
    "stage_set_by", "owner", "qualification", "activities", "kind", "occurred_at", "detail",
]  # fmt: skip
_activity_lines = st.lists(
    st.dictionaries(st.sampled_from(["kind", "occurred_at", "detail", "extra"]), _json, max_size=4),
    max_size=3,
)
_lines = st.builds(
    lambda base, extra, activities: {**base, **extra, "activities": activities},
    st.fixed_dictionaries({"email": st.one_of(_emails, _json)}),
    st.dictionaries(st.sampled_from(_LINE_KEYS), _json, max_size=5),
    st.one_of(_activity_lines, _json),
)


@FUZZ
@given(line=st.one_of(_lines.map(json.dumps), _json.map(json.dumps), st.text(max_size=80)))
def test_an_evaluate_line_gives_a_person_or_a_line_error(line: str) -> None:
    stages = {stage.value: stage for stage in Stage}
    with contextlib.suppress(LineError):
        parsed = parse_person_line(line, 1, stages.get)
        evaluate(DEFINITIONS, parsed.person, parsed.activities, as_of=AS_OF)


def test_the_mutations_reach_every_type_a_loader_may_meet() -> None:
    """The fuzzers above only prove something if TOML's dates and times reach the loaders."""
    seen: set[type] = set()

    @settings(max_examples=100, derandomize=True, database=None)
    @given(value=_scalars)
    def collect(value: object) -> None:
        seen.add(type(value))

    collect()
    assert {date, time, datetime, float, bool, int, str} <= seen
