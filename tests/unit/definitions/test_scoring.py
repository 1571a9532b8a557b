from __future__ import annotations

from pathlib import Path

import pytest

from leadsync.definitions import evaluate, load_definitions
from leadsync.model import JobLevel, Stage, Temperature
from tests.conftest import REPO
from tests.unit.definitions.helpers import AS_OF, DEFAULTS, act, person


def decide(who, activities=()):
    return evaluate(DEFAULTS, who, list(activities), as_of=AS_OF)


def test_reference_grid_ceo_big_company_pricing_page_scores_75_but_one_page_is_not_hot() -> None:
    decision = decide(person(title="CEO", employees=300), [act("pricing_page_view")])
    assert (decision.score, decision.fit_score, decision.engagement_score) == (75, 55, 20)
    assert decision.grade == "B"
    assert decision.temperature is Temperature.COLD  # fit makes the score, never the temperature


def test_reference_grid_repeated_pricing_and_product_pages_are_hot_by_accumulation() -> None:
    pages = [act("pricing_page_view", d) for d in (1, 3)] + [act("product_page_view", d) for d in range(5)]
    decision = decide(person(title="Manager", employees=100), pages)
    assert decision.engagement_score > 60
    assert decision.temperature is Temperature.HOT


def test_reference_grid_manager_mid_company_webinar_and_product_pages_is_warm() -> None:
    decision = decide(
        person(title="Manager", employees=100), [act("webinar_attended"), act("product_page_view", 2)] * 2
    )
    assert (decision.score, decision.engagement_score) == (20 + 40, 40)
    assert decision.temperature is Temperature.WARM


def test_reference_grid_manager_product_page_is_25_and_cold() -> None:
    decision = decide(person(title="Manager"), [act("product_page_view")])
    assert decision.score == 25
    assert decision.temperature is Temperature.COLD


def test_reference_grid_sector_and_country_points() -> None:
    decision = decide(person(job_level=JobLevel.MANAGER, industry="Software", country="FR"), [act("call")])
    assert decision.fit_score == 20 + 20 + 15
    assert {r.rule for r in decision.reasons if r.points} >= {"fit.sector", "fit.country"}


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("PDG", JobLevel.CEO),
        ("Directeur Général", JobLevel.CEO),
        ("Directrice générale adjointe", JobLevel.CEO),
        ("DG", JobLevel.CEO),
        ("Co-fondatrice", JobLevel.CEO),
        ("Founder & CEO", JobLevel.CEO),
        ("VP Sales", JobLevel.EXECUTIVE),
        ("Vice-Président Ventes", JobLevel.EXECUTIVE),
        ("Head of Marketing", JobLevel.DIRECTOR),
        ("Directrice Marketing", JobLevel.DIRECTOR),
        ("Responsable des achats", JobLevel.MANAGER),
        ("Chef de projet", JobLevel.MANAGER),
        ("Sales Manager", JobLevel.MANAGER),
        ("Étudiante en master", JobLevel.STUDENT),
        ("Stagiaire marketing", JobLevel.STUDENT),
        ("Comptable", JobLevel.INDIVIDUAL),
        ("Product Owner", JobLevel.INDIVIDUAL),
    ],
)
def test_titles_in_english_and_french_give_a_job_level(title: str, level: JobLevel) -> None:
    assert decide(person(title=title)).job_level is level


def test_an_explicit_job_level_wins_over_the_title() -> None:
    decision = decide(person(title="Étudiant", job_level=JobLevel.CEO))
    assert decision.job_level is JobLevel.CEO
    assert decision.fit_score == 30


def test_the_content_collector_is_capped() -> None:
    collector = decide(person(title="Manager"), [act("whitepaper_download") for _ in range(12)])
    assert collector.engagement_score == 30
    reason = next(r for r in collector.reasons if r.rule == "engagement.whitepaper_download")
    assert "12 x 10 pts" in reason.detail
    assert "capped at 30" in reason.detail


def test_each_kind_earns_only_its_own_points() -> None:
    decision = decide(person(), [act("pricing_page_view")])
    assert [r.rule for r in decision.reasons if r.points and r.rule.startswith("engagement")] == [
        "engagement.pricing_page_view"
    ]


def test_points_decay_by_half_life() -> None:
    fresh = decide(person(), [act("webinar_attended", days_ago=0)])
    old = decide(person(), [act("webinar_attended", days_ago=45)])
    assert (fresh.engagement_score, old.engagement_score) == (15, 8)  # 7.5 rounds half up


def test_negative_points_for_unsubscribe_bounce_and_personal_email() -> None:
    decision = decide(
        person("jane@gmail.com", title="Manager"), [act("unsubscribe", 400), act("hard_bounce")]
    )
    assert decision.score == 20 - 10 - 20 - 30
    assert decision.temperature is Temperature.COLD


def test_student_email_domains_are_penalised() -> None:
    assert decide(person("jo@etu.univ-lyon1.fr")).fit_score == -15  # no title: no job-level points
    assert decide(person("jo@mit.edu", title="Analyst")).fit_score == 5 - 15
    assert decide(person("jo@acme.example", title="Analyst")).fit_score == 5


def test_source_quality_linkedin_above_display() -> None:
    linkedin = decide(person(source="LinkedIn"))
    display = decide(person(source="display"))
    assert linkedin.fit_score > display.fit_score


def test_nobody_touched_for_the_dormant_period_is_cold() -> None:
    decision = decide(person(title="CEO", employees=5000), [act("meeting_held", days_ago=130)])
    assert decision.temperature is Temperature.COLD


def test_reasons_add_up_to_the_score_even_with_fractions() -> None:
    activities = [
        act(kind, days_ago=d) for kind, d in [("email_click", 3.3), ("webinar_attended", 17.1), ("call", 50)]
    ]
    decision = decide(person(title="Directeur", employees=260), activities)
    assert sum(r.points for r in decision.reasons) == decision.score
    assert decision.fit_score + decision.engagement_score == decision.score


def test_activities_after_as_of_are_ignored_and_listed() -> None:
    future = act("demo_request", days_ago=-1)
    decision = decide(person(title="CEO"), [future])
    assert decision.ignored == (future,)
    assert decision.engagement_score == 0
    assert decision.stage is Stage.LEAD


def test_count_facts_are_zero_for_kinds_never_seen(tmp_path) -> None:
    text = (REPO / "mappings" / "definitions.toml").read_text(encoding="utf-8")
    text = text.replace(
        '[[scoring.fit.rules]]\nname = "personal e-mail"',
        '[[scoring.fit.rules]]\nname = "never bounced"\npoints = 5\n'
        'when = { field = "count.hard_bounce", op = "=", value = 0 }\n\n'
        '[[scoring.fit.rules]]\nname = "personal e-mail"',
    )
    path = tmp_path / "definitions.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_definitions(path)
    clean = evaluate(rules, person(title="Analyst"), [act("page_view")], as_of=AS_OF)
    bounced = evaluate(rules, person(title="Analyst"), [act("hard_bounce")], as_of=AS_OF)
    assert "fit.rule.never bounced" in {r.rule for r in clean.reasons}
    assert "fit.rule.never bounced" not in {r.rule for r in bounced.reasons}


def test_a_capped_penalty_costs_at_most_its_cap_and_is_no_touch(tmp_path: Path) -> None:
    text = (REPO / "mappings" / "definitions.toml").read_text(encoding="utf-8")
    assert "unsubscribe = { points = -20, half_life_days = 0 }" in text
    text = text.replace(
        "unsubscribe = { points = -20, half_life_days = 0 }", "unsubscribe = { points = -20, cap = 25 }"
    )
    path = tmp_path / "definitions.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_definitions(path)
    unsubscribed = [act("unsubscribe", days_ago=1), act("unsubscribe", days_ago=2), act("page_view", 3)]
    fast, explained = (
        evaluate(rules, person(), unsubscribed, as_of=AS_OF, explain=explain) for explain in (False, True)
    )
    assert fast.engagement_score == explained.engagement_score == round(-25 + 2 ** -(3 / 45))
    reason = next(r for r in explained.reasons if r.rule == "engagement.unsubscribe")
    assert (reason.points, "capped at 25" in reason.detail) == (-25, True)
    assert "last touch 2026-11-20" in next(r.detail for r in explained.reasons if r.rule == "temperature")
