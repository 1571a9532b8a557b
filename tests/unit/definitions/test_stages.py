from __future__ import annotations

import pytest

from leadsync.definitions import evaluate
from leadsync.model import SetBy, Stage
from tests.unit.definitions.helpers import AS_OF, DEFAULTS, act, person


def decide(who, activities=(), **kw):
    return evaluate(DEFAULTS, who, list(activities), as_of=AS_OF, **kw)


def test_a_new_fit_and_warm_person_becomes_mql() -> None:
    warm = [act("webinar_attended"), act("product_page_view", 3), act("pricing_page_view", 5)]
    decision = decide(person(title="Manager", employees=100, country="FR"), warm)
    assert decision.temperature == "warm"
    assert decision.stage is Stage.MQL
    assert decision.stage_set_by is SetBy.LEADSYNC


def test_the_fit_gate_keeps_an_engaged_student_a_lead_whatever_the_triggers() -> None:
    student = person(title="Étudiant", employees=5000, industry="software", country="FR")
    activities = [act("demo_request"), act("quote_request"), act("pricing_page_view"), act("meeting_held")]
    decision = decide(student, activities)
    assert decision.score > 60
    assert decision.fit is False
    assert decision.stage is Stage.LEAD
    assert any("fails the fit gate" in r.detail for r in decision.reasons)


def test_a_demo_request_moves_a_fit_lead_straight_to_sql_with_an_owner() -> None:
    decision = decide(person(title="Manager", country="FR"), [act("demo_request", days_ago=1)])
    assert decision.engagement_score < DEFAULTS.default_profile.scoring.temperature.hot_above
    assert decision.stage is Stage.SQL
    assert decision.owner == "chloe.dubois@example.com"
    stage_reason = next(r for r in decision.reasons if r.rule == "stage.sql")
    assert "demo_request" in stage_reason.detail


def test_an_old_trigger_does_not_count() -> None:
    decision = decide(person(title="Manager", country="FR"), [act("demo_request", days_ago=200)])
    assert decision.stage is Stage.LEAD


@pytest.mark.parametrize(
    ("answers", "stage"),
    [
        ({"budget": True, "authority": True, "need": True, "timing": False}, Stage.LEAD),
        ({"budget": True, "authority": True, "need": True, "timing": True}, Stage.SQL),
        ({"budget": True, "authority": False, "need": True, "timing": False}, Stage.LEAD),
        ({"budget": True, "authority": True}, Stage.LEAD),
    ],
)
def test_bant_needs_all_four_answers_on_a_fit_lead(answers: dict[str, bool], stage: Stage) -> None:
    assert decide(person(title="Directeur", country="FR", qualification=answers)).stage is stage


def test_bant_does_not_bypass_the_fit_gate() -> None:
    answers = {"budget": True, "authority": True, "need": True, "timing": True}
    assert decide(person(title="Student", qualification=answers)).stage is Stage.LEAD


@pytest.mark.parametrize("manual", [Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.DISQUALIFIED])
@pytest.mark.parametrize("set_by", [SetBy.HUMAN, SetBy.LEADSYNC])
def test_manual_stages_are_never_overwritten(manual: Stage, set_by: SetBy) -> None:
    quiet_or_hot = [act("demo_request"), act("pricing_page_view")]
    decision = decide(person(title="CEO", employees=900, stage=manual, stage_set_by=set_by), quiet_or_hot)
    assert decision.stage is manual
    assert decision.stage_set_by is set_by
    assert decide(person(stage=manual, stage_set_by=set_by), [act("call", days_ago=400)]).stage is manual


def test_stages_never_move_backward_without_an_explicit_transition() -> None:
    cold_now = decide(
        person(title="Manager", stage=Stage.SQL, stage_set_by=SetBy.LEADSYNC), [act("call", 30)]
    )
    assert cold_now.stage is Stage.SQL
    assert "only move forward" in next(r.detail for r in cold_now.reasons if r.rule == "stage.sql")


def test_a_quiet_mql_is_recycled_to_nurture() -> None:
    quiet = person(title="Manager", stage=Stage.MQL, stage_set_by=SetBy.LEADSYNC)
    decision = decide(quiet, [act("webinar_attended", days_ago=100)])
    assert decision.stage is Stage.NURTURE
    assert "recycled" in next(r.detail for r in decision.reasons if r.rule == "stage.nurture")


def test_a_recently_active_mql_is_not_recycled() -> None:
    active = person(title="Manager", stage=Stage.MQL, stage_set_by=SetBy.LEADSYNC)
    assert (
        decide(active, [act("webinar_attended", days_ago=100), act("email_open", days_ago=10)]).stage
        is Stage.MQL
    )


def test_a_stage_set_by_a_human_is_a_floor_never_recycled() -> None:
    by_hand = person(title="Manager", country="FR", stage=Stage.MQL, stage_set_by=SetBy.HUMAN)
    kept = decide(by_hand, [act("webinar_attended", days_ago=100)])
    assert (kept.stage, kept.stage_set_by) == (Stage.MQL, SetBy.HUMAN)
    advanced = decide(by_hand, [act("demo_request")])
    assert (advanced.stage, advanced.stage_set_by) == (Stage.SQL, SetBy.LEADSYNC)


def test_nurture_is_left_only_on_a_reentry_trigger() -> None:
    nurtured = person(title="Manager", country="FR", stage=Stage.NURTURE, stage_set_by=SetBy.LEADSYNC)
    assert decide(nurtured, [act("webinar_attended", days_ago=2)]).stage is Stage.NURTURE
    back = decide(nurtured, [act("demo_request", days_ago=2)])
    assert back.stage is Stage.SQL
    assert "re-entry from nurture" in next(r.detail for r in back.reasons if r.rule == "stage.sql")


def test_reentry_needs_the_person_to_qualify() -> None:
    nurtured = person(title="Étudiant", stage=Stage.NURTURE, stage_set_by=SetBy.LEADSYNC)
    assert decide(nurtured, [act("demo_request")]).stage is Stage.NURTURE


def test_someone_recycled_and_back_goes_through_the_whole_cycle() -> None:
    who = person(title="Manager", employees=100, country="FR")
    first = decide(who, [act("webinar_attended", days_ago=100)])
    assert first.stage is Stage.LEAD  # never reached mql: nothing to recycle
    mql = person(title="Manager", employees=100, country="FR", stage=Stage.MQL, stage_set_by=SetBy.LEADSYNC)
    recycled = decide(mql, [act("webinar_attended", days_ago=100)])
    assert recycled.stage is Stage.NURTURE
    nurtured = person(
        title="Manager",
        employees=100,
        country="FR",
        stage=recycled.stage,
        stage_set_by=recycled.stage_set_by,
    )
    assert decide(nurtured, [act("pricing_page_view"), act("webinar_attended")]).stage is Stage.MQL


def test_every_sql_ends_with_an_owner() -> None:
    on_target = (
        person(title="CEO", country="JP", industry="Software"),
        person(title="Manager", country="US", employees=10),
    )
    for who in on_target:
        decision = decide(who, [act("quote_request")])
        assert decision.stage is Stage.SQL
        assert decision.owner is not None
