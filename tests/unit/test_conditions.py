"""Compiled conditions: every operator on present, missing, odd and unhashable facts."""

from __future__ import annotations

import pytest

from leadsync.conditions import compile_condition
from leadsync.problems import Problems

FIELDS = ("country", "employees", "email_domain", "tags")
FACTS = {"country": "Fr", "employees": 300, "email_domain": "mit.edu", "tags": ["a", "b"], "flag": True}


def holds(op: str, field: str, value: object, facts: dict[str, object] = FACTS) -> bool:
    problems = Problems("definitions.toml")
    predicate = compile_condition({"field": field, "op": op, "value": value}, problems, "when", fields=FIELDS)
    assert not problems
    return predicate(facts)


@pytest.mark.parametrize(
    ("op", "field", "value", "expected"),
    [
        ("in", "country", ["FR", "BE"], True),
        ("in", "country", ["DE"], False),
        ("not_in", "country", ["FR", "BE"], False),
        ("not_in", "country", ["DE"], True),
        ("in", "employees", [300, 5], True),
        ("not_in", "employees", [300], False),
        ("in", "tags", ["a"], False),  # an unhashable fact is in no list
        ("not_in", "tags", ["a"], True),
        ("in", "email_domain", ["MIT.EDU"], True),
        (">", "employees", 250, True),
        (">", "employees", 300, False),
        (">=", "employees", 300, True),
        ("<", "employees", 300.5, True),
        ("<=", "employees", 299, False),
        (">", "country", 1, False),  # text is not a number
        ("matches", "email_domain", r"\.EDU$", True),
        ("matches", "email_domain", r"^gmail", False),
        ("matches", "employees", "3", False),  # a number is not text
        ("contains", "country", "r", True),
        ("starts_with", "country", "F", True),
        ("ends_with", "country", "x", False),
        ("=", "country", "fr", True),
        ("!=", "country", "fr", False),
    ],
)
def test_each_operator_on_present_facts(op: str, field: str, value: object, expected: bool) -> None:
    assert holds(op, field, value) is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("in", ["x"], False),
        ("not_in", ["x"], True),
        (">", 0, False),
        ("<=", 10, False),
        ("matches", ".", False),
        ("contains", "x", False),
        ("=", "x", False),
        ("!=", "x", True),
    ],
)
def test_a_missing_fact_never_raises(op: str, value: object, expected: bool) -> None:
    assert holds(op, "country", value, {}) is expected


def test_a_boolean_is_not_a_number() -> None:
    assert holds(">", "employees", 0, {"employees": True}) is False


def test_matches_answers_alike_for_repeated_values_and_past_its_memory() -> None:
    problems = Problems("definitions.toml")
    condition = {"field": "email_domain", "op": "matches", "value": r"\.edu$"}
    predicate = compile_condition(condition, problems, "when", fields=FIELDS)
    domains = [f"school{i}.EDU" if i % 3 == 0 else f"firm{i}.example" for i in range(20_000)]
    first = [predicate({"email_domain": domain}) for domain in domains]
    again = [predicate({"email_domain": domain}) for domain in reversed(domains)]
    assert first == [i % 3 == 0 for i in range(20_000)]
    assert again == first[::-1]
