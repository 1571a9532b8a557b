"""Warnings about definitions that load but would not do what their authors expect.

`leadsync definitions check` lists them with the key and the fix: a route fit alone can take
(a well-placed director who never did anything sent to sales), a route no one can ever take,
a threshold the caps put out of reach. They are warnings, not errors: the file still loads.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from leadsync.conditions import condition_fields
from leadsync.definitions.evaluator import Definitions
from leadsync.definitions.profiles import Profile
from leadsync.definitions.schema import DefinitionsSpec, RouteSpec
from leadsync.definitions.scoring import FitRules, ScoringRules
from leadsync.model import Stage
from leadsync.problems import Problem

__all__ = ["definitions_warnings", "max_engagement", "max_fit"]

_BEHAVIOUR_FACTS = ("engagement_score", "temperature", "days_since_last_activity")
_QUALIFIED_STAGES = (Stage.MQL, Stage.SQL)


def max_fit(fit: FitRules) -> int:
    """The most fit points anyone can earn under these rules."""
    best = max((0, *fit.job_level.values()))
    best += max((0, *(band.points for band in fit.bands)))
    best += max(0, fit.sector_points) + max(0, fit.country_points)
    best += max((0, *fit.sources.values()))
    return best + sum(points for _rule, _name, points, _holds in fit.rules if points > 0)


def max_engagement(scoring: ScoringRules) -> float:
    """The most engagement points anyone can earn: each kind's cap, each group's (inf: no cap)."""
    earned = {kind: scoring.caps[kind] for kind, rule in scoring.kinds.items() if rule.points > 0}
    grouped: set[object] = set()
    total = 0.0
    for _name, kinds, cap in scoring.groups:
        members = [earned[kind] for kind in kinds if kind in earned and kind not in grouped]
        grouped.update(kinds)
        total += min(cap, math.fsum(members))
    return total + math.fsum(points for kind, points in earned.items() if kind not in grouped)


def definitions_warnings(definitions: Definitions) -> list[Problem]:
    """Every warning about the loaded definitions, in file order; one that holds under several
    profiles (a shared stage route) is given once, naming them."""
    spec = definitions.source
    found: dict[tuple[str, str, str], list[str]] = {}
    for index, profile in enumerate(definitions.profiles):
        prefix = "" if profile is definitions.default_profile else f"profiles[{index}]."
        for warning in _profile_warnings(spec, profile, prefix):
            found.setdefault(warning, []).append(profile.name)
    return [
        Problem(
            definitions.file,
            path,
            f"profile{'s' if len(names) > 1 else ''} {', '.join(names)}: {message}",
            hint,
        )
        for (path, message, hint), names in found.items()
    ]


def _profile_warnings(spec: DefinitionsSpec, profile: Profile, prefix: str) -> Iterator[tuple[str, str, str]]:
    scoring = profile.scoring
    heat = scoring.temperature
    fit_max, engagement_max = max_fit(scoring.fit), max_engagement(scoring)
    if heat.hot_above >= engagement_max and not heat.hot_on:
        yield (
            f"{prefix}temperature.hot_above",
            f"the caps allow at most {engagement_max:g} engagement points, so no one is ever hot",
            f"lower hot_above below {engagement_max:g}, raise the caps, or list buying signals in hot_on",
        )
    if heat.warm_from > engagement_max:
        yield (
            f"{prefix}temperature.warm_from",
            f"the caps allow at most {engagement_max:g} engagement points, so no one is ever warm",
            f"lower warm_from to {engagement_max:g} or less, or raise the caps",
        )
    if heat.warm_interactions and not heat.qualified:
        yield (
            f"{prefix}temperature.qualified",
            f"warm needs {heat.warm_interactions} qualified interactions but no kind is qualified",
            'list the kinds that count, e.g. ["product_page_view", "webinar_attended"]',
        )
    if heat.warm_from <= 0 and not heat.warm_interactions and heat.dormant_after is None:
        yield (
            f"{prefix}temperature.warm_from",
            "someone who never did anything is warm",
            "set warm_from above 0, warm_interactions, or dormant_after_days",
        )
    for grade, floor in profile.grade.bands:
        if floor > fit_max:
            yield (
                f"{prefix}grade.bands.{grade}",
                f"grade {grade} needs {floor} fit points, the fit rules give at most {fit_max}",
                f"lower it to {fit_max} or less, or add fit points",
            )
    for stage in _QUALIFIED_STAGES:
        stage_spec = spec.stages.get(stage)
        for i, route in enumerate(stage_spec.entry if stage_spec else ()):
            key = f"stages.{stage}.entry[{i}]"
            yield from _route_warnings(route, key, stage, (fit_max, fit_max + engagement_max))


def _route_warnings(
    route: RouteSpec, key: str, stage: Stage, most: tuple[int, float]
) -> Iterator[tuple[str, str, str]]:
    """`most`: the most fit points and the highest score anyone can reach."""
    fit_max, score_max = most
    if route.min_score is not None and route.min_score > score_max:
        yield (
            f"{key}.min_score",
            f"no one can take this route: scores reach at most {score_max:g}",
            f"lower min_score to {score_max:g} or less, or remove the route",
        )
    behaviour = (
        route.triggers
        or route.checklist
        or route.min_temperature in ("warm", "hot")
        or (route.when is not None and any(f in _BEHAVIOUR_FACTS for f in condition_fields(route.when)))
        or any(f.startswith("count.") for f in condition_fields(route.when or {}))
    )
    if not behaviour and (route.min_score is None or route.min_score <= fit_max):
        yield (
            key,
            (
                f"fit alone can take this route into {stage}: someone who never did anything is "
                f"{stage} when their fit points (up to {fit_max}) reach min_score {route.min_score or 0}"
            ),
            'add a behaviour criterion: min_temperature = "warm", triggers or a checklist',
        )
    elif stage is Stage.SQL and not (route.triggers or route.checklist):
        yield (
            key,
            (
                "this route makes an sql from a score or a temperature alone, without an "
                "explicit buying signal or a qualification checklist"
            ),
            "use triggers (demo_request, quote_request…) or a checklist, or move the route to mql",
        )
