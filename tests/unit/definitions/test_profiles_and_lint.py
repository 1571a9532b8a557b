"""Scoring profiles, grades and blocks as the loader reads them, and the definitions linter."""

from __future__ import annotations

from pathlib import Path

from leadsync.definitions import evaluate
from leadsync.definitions.lint import definitions_warnings
from leadsync.model import JobLevel
from tests.unit.definitions.helpers import AS_OF, DEFAULTS, act, person
from tests.unit.definitions.test_loader import MINIMAL, load, problems

PROFILES = """
[[profiles]]
name = "public sector"
when = { field = "industry", op = "in", value = ["government", "public administration"] }
[profiles.fit_gate]
when = { field = "country", op = "=", value = "FR" }
[profiles.grade]
bands = { "1" = 10 }
lowest = "2"
[profiles.temperature]
hot_on = ["quote_request"]

[[profiles]]
name = "everyone else but students"
when = { field = "job_level", op = "!=", value = "student" }
"""


def test_each_person_is_scored_under_the_first_profile_that_applies(tmp_path: Path) -> None:
    definitions = load(tmp_path, MINIMAL + PROFILES)
    assert [p.name for p in definitions.profiles] == [
        "public sector",
        "everyone else but students",
        "default",
    ]
    public = evaluate(
        definitions, person(industry="Government", country="FR"), [act("quote_request")], as_of=AS_OF
    )
    assert (public.profile, public.grade, str(public.temperature)) == ("public sector", "2", "hot")
    other = evaluate(definitions, person(title="Manager"), [act("quote_request")], as_of=AS_OF)
    assert (other.profile, str(other.temperature)) == ("everyone else but students", "cold")
    student = evaluate(definitions, person(job_level=JobLevel.STUDENT), [], as_of=AS_OF)
    assert student.profile == "default"
    assert any(r.rule == "profile" and "no other profile applies" in r.detail for r in student.reasons)


def test_profile_and_grade_mistakes_are_problems_with_their_key(tmp_path: Path) -> None:
    text = MINIMAL + PROFILES.replace('"everyone else but students"', '"public sector"')
    text = text.replace('when = { field = "job_level"', 'when = { field = "score"')
    text = text.replace('bands = { "1" = 10 }', 'bands = { "1" = 10, "0" = 20 }').replace(
        'lowest = "2"', 'lowest = "1"'
    )
    found = problems(
        tmp_path, text + '[[stages.lead.block]]\nname = "x"\nwhen = { field = "country", op = "exists" }\n'
    )
    assert set(found) >= {
        "profiles[1].name",
        "profiles[1].when.field",  # a profile chooses how scores are made: it cannot test one
        "profiles[0].grade.bands",
        "profiles[0].grade.lowest",
        "stages.lead.block",
    }


def test_a_block_keeps_people_out_of_a_stage_and_explain_says_so() -> None:
    answers = {"budget": False, "authority": True, "need": True, "timing": True}
    who = person(title="Manager", country="FR", qualification=answers)
    decision = evaluate(DEFAULTS, who, [act("demo_request")], as_of=AS_OF)
    assert str(decision.stage) == "mql"
    assert next(r.detail for r in decision.reasons if r.rule == "blocked") == "sql blocked: no budget"


def test_an_off_target_buying_signal_is_flagged_for_review() -> None:
    decision = evaluate(
        DEFAULTS, person(title="CEO", industry="Retail", country="JP"), [act("quote_request")], as_of=AS_OF
    )
    assert (str(decision.stage), decision.fit) == ("lead", False)
    assert decision.review is not None
    assert "would reach sql" in decision.review
    assert any(r.rule == "review" for r in decision.reasons)


def test_the_shipped_definitions_have_no_warning() -> None:
    assert definitions_warnings(DEFAULTS) == []


def test_the_linter_names_each_route_and_threshold_that_would_surprise(tmp_path: Path) -> None:
    lax = (
        MINIMAL.replace("min_score = 30", "min_score = 30\n[[stages.mql.entry]]\nmin_score = 9000")
        + '[[stages.sql.entry]]\nmin_temperature = "hot"\n'
        + "[temperature]\nwarm_from = 10\nhot_above = 50\nwarm_interactions = 2\n"
        + "[grade]\nbands = { A = 40 }\n"
        + "[scoring.fit.job_level]\nceo = 30\n"
        + "[scoring.engagement.kinds]\npage_view = { points = 1, cap = 10 }\n"
        + '[scoring.engagement.groups.content]\nkinds = ["page_view"]\ncap = 5\n'
    )
    warnings = {w.path: w for w in definitions_warnings(load(tmp_path, lax))}
    assert set(warnings) == {
        "stages.mql.entry[0]",  # min_score 30 and fit gives up to 30: fit alone
        "stages.mql.entry[1].min_score",  # 9000 is out of reach
        "stages.sql.entry[1]",  # sql from a temperature alone
        "temperature.hot_above",  # engagement tops out at 5 (the group's cap)
        "temperature.warm_from",
        "temperature.qualified",  # warm needs qualified interactions, none listed
        "grade.bands.A",  # 40 fit points when fit gives at most 30
    }
    assert "at most 5 engagement points" in warnings["temperature.hot_above"].message
    assert all(w.hint and w.message.startswith("profile default: ") for w in warnings.values())
