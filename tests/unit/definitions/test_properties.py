"""Invariants of the evaluator over generated people and activities (Hypothesis)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leadsync.definitions import FUNNEL, evaluate
from leadsync.model import Activity, ActivityKind, Person, RecordRef, SetBy, Stage
from tests.unit.definitions.helpers import AS_OF, DEFAULTS

REF = RecordRef("crm", "Lead", "1")
POSITIVE = [k for k, rule in DEFAULTS.scoring.kinds.items() if rule.points > 0]
MANUAL = {s for s, d in DEFAULTS.funnel.stages.items() if d.manual}

titles = st.sampled_from(
    [
        "",
        "CEO",
        "PDG",
        "Directrice générale",
        "VP Sales",
        "Head of IT",
        "Responsable achats",
        "Manager",
        "Étudiant",
        "Comptable",
        "Founder",
    ]
)
answers = st.dictionaries(st.sampled_from(["budget", "authority", "need", "timing"]), st.booleans())
stages = st.one_of(st.none(), st.sampled_from(list(Stage)))


@st.composite
def people(draw: st.DrawFn) -> Person:
    stage = draw(stages)
    return Person(
        REF,
        draw(st.sampled_from(["a@acme.example", "b@gmail.com", "c@mit.edu"])),
        title=draw(titles),
        employees=draw(st.one_of(st.none(), st.integers(0, 20_000))),
        industry=draw(st.sampled_from(["", "Software", "Retail", "banking"])),
        country=draw(st.sampled_from(["", "FR", "US", "JP", "de"])),
        source=draw(st.sampled_from(["", "LinkedIn", "Display", "Purchased List"])),
        created_at=AS_OF - timedelta(days=draw(st.integers(0, 800))),
        stage=stage,
        stage_set_by=draw(st.sampled_from(list(SetBy))) if stage else None,
        qualification=draw(answers),
    )


def activity_of(kind: ActivityKind, days_ago: float, i: int) -> Activity:
    return Activity(RecordRef("crm", "Task", str(i)), REF, kind, AS_OF - timedelta(days=days_ago))


@st.composite
def activity_lists(draw: st.DrawFn, kinds: list[ActivityKind] | None = None) -> list[Activity]:
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(kinds or list(ActivityKind)), st.floats(-5, 400)), max_size=25)
    )
    return [activity_of(kind, days, i) for i, (kind, days) in enumerate(pairs)]


@given(people(), activity_lists())
def test_reasons_add_up_to_the_score(person: Person, activities: list[Activity]) -> None:
    decision = evaluate(DEFAULTS, person, activities, as_of=AS_OF)
    assert sum(r.points for r in decision.reasons) == decision.score
    assert decision.fit_score + decision.engagement_score == decision.score


@given(people(), activity_lists())
def test_evaluation_is_deterministic(person: Person, activities: list[Activity]) -> None:
    first = evaluate(DEFAULTS, person, activities, as_of=AS_OF, round_robin={"emea": 1})
    assert evaluate(DEFAULTS, person, list(activities), as_of=AS_OF, round_robin={"emea": 1}) == first
    assert evaluate(
        DEFAULTS, person, list(reversed(activities)), as_of=AS_OF, round_robin={"emea": 1}
    ).score == (first.score)


@given(people(), activity_lists(), st.sampled_from(POSITIVE), st.floats(0, 400))
def test_score_is_monotone_in_added_positive_activity(
    person: Person, activities: list[Activity], kind: ActivityKind, days_ago: float
) -> None:
    before = evaluate(DEFAULTS, person, activities, as_of=AS_OF).score
    after = evaluate(DEFAULTS, person, [*activities, activity_of(kind, days_ago, 999)], as_of=AS_OF).score
    assert after >= before


@settings(max_examples=300)
@given(people(), activity_lists())
def test_no_backward_stage_move_without_an_explicit_transition(
    person: Person, activities: list[Activity]
) -> None:
    decision = evaluate(DEFAULTS, person, activities, as_of=AS_OF)
    current, reached = person.stage, decision.stage
    if current is None or reached == current:
        return
    assert current not in MANUAL, "a manual stage changed"
    if current is Stage.NURTURE:  # re-entry: only into the funnel past lead
        assert reached in FUNNEL
        assert FUNNEL.index(reached) > 0
    elif reached is Stage.NURTURE:  # recycling: from a recyclable stage leadsync set, or on entering one
        stage_reason = next(r.detail for r in decision.reasons if r.rule == "stage.nurture")
        entered = "(reached " in stage_reason
        assert entered or current in DEFAULTS.funnel.recycle.from_stages
        assert entered or person.stage_set_by is SetBy.LEADSYNC
    else:
        assert FUNNEL.index(reached) > FUNNEL.index(current)
