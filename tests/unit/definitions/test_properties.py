"""Invariants of the evaluator over generated people and activities (Hypothesis)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from leadsync.definitions import FUNNEL, Decision, evaluate
from leadsync.definitions.evaluator import round_half_up
from leadsync.definitions.scoring import engagement_tally
from leadsync.model import Activity, ActivityKind, Person, RecordRef, SetBy, Stage, Temperature, epoch_of
from tests.unit.definitions.helpers import AS_OF, DEFAULTS

REF = RecordRef("crm", "Lead", "1")
POSITIVE = [k for k, rule in DEFAULTS.default_profile.scoring.kinds.items() if rule.points > 0]
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


days_ago = st.one_of(st.floats(-5, 400), st.floats(-0.05, 0.05))  # also close to `as_of` and the hour


@st.composite
def activity_lists(draw: st.DrawFn, kinds: list[ActivityKind] | None = None) -> list[Activity]:
    pairs = draw(st.lists(st.tuples(st.sampled_from(kinds or list(ActivityKind)), days_ago), max_size=25))
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


OWNERS = [
    "alice.martin@example.com",
    "chloe.dubois@example.com",
    "frank.miller@example.com",
    "gone@example.com",
]


@st.composite
def owned_people(draw: st.DrawFn) -> Person:
    who = draw(people())
    return msgspec.structs.replace(who, owner_email=draw(st.one_of(st.none(), st.sampled_from(OWNERS))))


def reference_engagement(
    activities: list[Activity], decay_at: datetime
) -> tuple[dict[ActivityKind, float], datetime | None]:
    """Capped points per kind and the last touch, computed the plain way, one kind at a time.

    Ages are taken between epochs (seconds since 1970), as `Activity.epoch` holds them.
    """
    counted = [a for a in activities if a.occurred_at <= AS_OF]
    capped = {}
    for kind, rule in DEFAULTS.default_profile.scoring.kinds.items():
        ages = [max(0.0, epoch_of(decay_at) - a.epoch) for a in counted if a.kind is kind]
        if ages and rule.points:
            points = sum(rule.points * math.exp(-rule.decay_per_second * age) for age in ages)
            capped[kind] = (
                points if rule.cap is None or abs(points) <= rule.cap else math.copysign(rule.cap, points)
            )
    touches = [a.occurred_at for a in counted if DEFAULTS.default_profile.scoring.kinds[a.kind].points >= 0]
    return capped, max(touches, default=None)


@settings(max_examples=200)
@given(
    owned_people(),
    activity_lists(),
    st.dictionaries(st.sampled_from(["enterprise-emea", "emea", "north-america"]), st.integers(0, 5)),
    st.one_of(st.none(), st.sets(st.sampled_from(OWNERS[:3]))),
    st.integers(0, 59),
)
def test_the_fast_path_decides_what_the_explained_path_decides(
    person: Person,
    activities: list[Activity],
    round_robin: dict[str, int],
    active: set[str] | None,
    minutes: int,
) -> None:
    as_of = AS_OF + timedelta(minutes=minutes)  # decay is taken at the hour, as the engine does
    decay_as_of = AS_OF

    def decided(*, explain: bool) -> Decision:
        return evaluate(
            DEFAULTS,
            person,
            activities,
            as_of=as_of,
            round_robin=round_robin,
            active_owners=active,
            explain=explain,
            decay_as_of=decay_as_of,
        )

    fast, explained = decided(explain=False), decided(explain=True)
    assert fast.reasons == ()
    assert msgspec.structs.replace(explained, reasons=()) == fast
    assert sum(r.points for r in explained.reasons) == fast.score


@settings(max_examples=200)
@given(people(), activity_lists())
def test_engagement_matches_a_plain_reference(person: Person, activities: list[Activity]) -> None:
    decay_as_of = AS_OF - timedelta(minutes=30)
    capped, last_touch = reference_engagement(activities, decay_as_of)
    tally = engagement_tally(
        activities,
        as_of=AS_OF,
        rules=DEFAULTS.default_profile.scoring,
        decay_as_of=decay_as_of,
        counting=False,
    )
    assert (tally.capped, tally.last_touch) == (capped, last_touch)  # exactly: same floats, same order
    decision = evaluate(DEFAULTS, person, activities, as_of=AS_OF, explain=False, decay_as_of=decay_as_of)
    assert decision.engagement_score == round_half_up(math.fsum(capped.values()) - group_excess(capped))
    assert decision.ignored == tuple(a for a in activities if a.occurred_at > AS_OF)
    assert decision.temperature is reference_temperature(activities, decision.engagement_score, last_touch)


def group_excess(capped: dict[ActivityKind, float]) -> float:
    """What the groups of kinds earn above their joint caps, the plain way."""
    excess = 0.0
    for _name, kinds, cap in DEFAULTS.default_profile.scoring.groups:
        earned = math.fsum(points for kind, points in capped.items() if kind in kinds and points > 0)
        excess += max(0.0, earned - cap)
    return excess


def reference_temperature(
    activities: list[Activity], engagement: int, last_touch: datetime | None
) -> Temperature:
    """The temperature rules of the definitions, written out plainly."""
    rules = DEFAULTS.default_profile.scoring.temperature
    recent = [a for a in activities if AS_OF - rules.window <= a.occurred_at <= AS_OF]
    if last_touch is None or (rules.dormant_after is not None and AS_OF - last_touch > rules.dormant_after):
        return Temperature.COLD
    if any(a.kind in rules.hot_on for a in recent) or engagement > rules.hot_above:
        return Temperature.HOT
    qualified = sum(1 for a in recent if a.kind in rules.qualified)
    if engagement >= rules.warm_from and qualified >= rules.warm_interactions:
        return Temperature.WARM
    return Temperature.COLD


RANK = {Temperature.COLD: 0, Temperature.WARM: 1, Temperature.HOT: 2}
SIGNALS = sorted(DEFAULTS.funnel.stages[Stage.SQL].routes[0].triggers)
past = st.floats(0, 400)


def later_or_equal(before: Stage, after: Stage) -> bool:
    """`after` is not behind `before`: same stage, further in the funnel, or out of nurture."""
    if before == after or before is Stage.NURTURE:
        return True
    return before in FUNNEL and after in FUNNEL and FUNNEL.index(after) >= FUNNEL.index(before)


@settings(max_examples=300)
@given(people(), activity_lists(), st.sampled_from(SIGNALS), past)
def test_adding_a_buying_signal_never_lowers_the_stage(
    person: Person, activities: list[Activity], kind: ActivityKind, days: float
) -> None:
    before = evaluate(DEFAULTS, person, activities, as_of=AS_OF).stage
    after = evaluate(DEFAULTS, person, [*activities, activity_of(kind, days, 999)], as_of=AS_OF).stage
    assert later_or_equal(before, after)


better_fit = st.sampled_from(
    [{"title": "CEO"}, {"industry": "Software"}, {"country": "FR"}, {"source": "LinkedIn"}]
)


@given(people(), activity_lists(), better_fit)
def test_adding_fit_alone_never_raises_the_temperature(
    person: Person, activities: list[Activity], fit: dict[str, str]
) -> None:
    before = evaluate(DEFAULTS, person, activities, as_of=AS_OF)
    after = evaluate(DEFAULTS, msgspec.structs.replace(person, **fit), activities, as_of=AS_OF)
    assert after.fit_score >= before.fit_score
    assert RANK[after.temperature] <= RANK[before.temperature]


@given(people(), better_fit)
def test_better_fit_never_lowers_the_grade(person: Person, fit: dict[str, str]) -> None:
    before = evaluate(DEFAULTS, person, [], as_of=AS_OF)
    after = evaluate(DEFAULTS, msgspec.structs.replace(person, **fit), [], as_of=AS_OF)
    grades = DEFAULTS.profile(before.profile).grade.grades()
    assert after.profile == before.profile  # these fields choose no profile
    assert grades.index(after.grade) <= grades.index(before.grade)


@given(people(), activity_lists(), st.floats(0, 1_000))
def test_decay_never_raises_the_score(person: Person, activities: list[Activity], days: float) -> None:
    done = [a for a in activities if a.occurred_at <= AS_OF]  # nothing new arrives as time passes
    now = evaluate(DEFAULTS, person, done, as_of=AS_OF)
    later = evaluate(DEFAULTS, person, done, as_of=AS_OF + timedelta(days=days))
    assert later.engagement_score <= now.engagement_score
    assert later.score <= now.score


@given(people(), activity_lists(POSITIVE), st.data())
def test_removing_an_activity_never_raises_the_temperature(
    person: Person, activities: list[Activity], data: st.DataObject
) -> None:
    if not activities:
        return
    gone = data.draw(st.integers(0, len(activities) - 1))
    before = evaluate(DEFAULTS, person, activities, as_of=AS_OF)
    after = evaluate(DEFAULTS, person, activities[:gone] + activities[gone + 1 :], as_of=AS_OF)
    assert RANK[after.temperature] <= RANK[before.temperature]
