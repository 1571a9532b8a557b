"""The definitions as plain data for people to read: `leadsync definitions show`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadsync.definitions.evaluator import Definitions
from leadsync.definitions.profiles import Profile
from leadsync.definitions.schema import FitGateSpec, RouteSpec, ScoringSpec, TemperatureSpec
from leadsync.definitions.scoring import FitRules
from leadsync.model import Stage

__all__ = ["condition_text", "describe"]

_GROUP_WORDS = {"all": " and ", "any": " or "}


def condition_text(raw: object) -> str:
    """A condition table as one readable line: `country in [FR, BE] and employees > 250`."""
    if not isinstance(raw, Mapping):
        return str(raw)
    for group in ("all", "any", "none"):
        if group in raw:
            parts = [condition_text(part) for part in raw[group]]
            if group == "none":
                return "not (" + " or ".join(parts) + ")"
            joined = _GROUP_WORDS[group].join(parts)
            return f"({joined})" if len(parts) > 1 else joined
    value = raw.get("value")
    shown = "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else repr(value)
    op = raw.get("op", "=")
    return f"{raw.get('field')} {op}" if op in ("exists", "missing") else f"{raw.get('field')} {op} {shown}"


def describe(definitions: Definitions) -> dict[str, Any]:
    """Funnel, scoring grid, temperature, recycling, titles, owners and SLA as JSON-ready data."""
    spec = definitions.source
    return {
        "name": definitions.name,
        "version": definitions.version,
        "file": definitions.file,
        "funnel": [
            {
                "stage": str(stage),
                "label": stage_spec.label,
                "aliases": stage_spec.aliases,
                "mode": stage_spec.mode,
                "entry": [_route_text(route) for route in stage_spec.entry],
                "blocked_when": [f"{block.name}: {condition_text(block.when)}" for block in stage_spec.block],
            }
            for stage in Stage
            if (stage_spec := spec.stages.get(stage)) is not None
        ],
        "checklists": {name: list(c.items) for name, c in definitions.checklists.items()},
        **_profile_data(definitions.default_profile, spec.fit_gate, spec.scoring, spec.temperature),
        "profiles": [
            {
                "name": profile.name,
                "when": condition_text(profile.when),
                **_profile_data(
                    compiled,
                    profile.fit_gate or spec.fit_gate,
                    profile.scoring or spec.scoring,
                    profile.temperature or spec.temperature,
                ),
            }
            for profile, compiled in zip(spec.profiles, definitions.profiles, strict=False)
        ],
        "recycle": spec.recycle.model_dump(mode="json", by_alias=True),
        "job_levels": [{"level": str(rule.level), "titles": rule.titles} for rule in spec.job_levels],
        "owners": {
            "keep_existing": spec.owners.keep_existing,
            "assign_from": str(spec.owners.assign_from),
            "fallback": definitions.owners.fallback,
            "territories": [
                {
                    "name": territory.name,
                    "covers": condition_text(territory.when) if territory.when else "everyone",
                    "pool": territory.pool,
                }
                for territory in spec.owners.territories
            ],
        },
        "sla": {
            "sql_follow_up_hours": spec.sla.sql_follow_up_hours,
            "follow_up": [str(kind) for kind in spec.sla.follow_up],
        },
    }


def _route_text(route: RouteSpec) -> str:
    parts = []
    if route.min_score is not None:
        parts.append(f"score ≥ {route.min_score}")
    if route.min_temperature is not None:
        parts.append(f"temperature ≥ {route.min_temperature}")
    if route.triggers:
        kinds = " or ".join(str(kind) for kind in route.triggers)
        parts.append(f"{kinds} within {route.within_days} days")
    if route.checklist:
        parts.append(f"{route.checklist.upper()} {route.min_checked or 'all'} checked")
    if route.when:
        parts.append(condition_text(route.when))
    if route.fit:
        parts.append("fit")
    text = " and ".join(parts)
    return f"{route.name}: {text}" if route.name else text


def _profile_data(
    profile: Profile, fit_gate: FitGateSpec, scoring: ScoringSpec, temperature: TemperatureSpec
) -> dict[str, Any]:
    """One profile's fit gate, grade bands, scoring grid and temperature."""
    return {
        "fit_gate": condition_text(fit_gate.when),
        "grade": profile.grade.describe(),
        "scoring": {
            "fit": _fit_rows(profile.scoring.fit, scoring),
            "engagement": [
                {
                    "kind": str(kind),
                    "points": rule.points,
                    "cap": rule.cap,
                    "half_life_days": rule.half_life_days,
                }
                for kind, rule in profile.scoring.kinds.items()
            ],
            "groups": [
                {"group": name, "kinds": [str(kind) for kind in group.kinds], "cap": group.cap}
                for name, group in scoring.engagement.groups.items()
            ],
        },
        "temperature": temperature.model_dump(mode="json"),
    }


def _fit_rows(fit: FitRules, spec: ScoringSpec) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"rule": f"job level {level}", "points": points} for level, points in fit.job_level.items()
    ]
    rows += [{"rule": f"employees {band.label()}", "points": band.points} for band in fit.bands]
    if fit.sectors:
        rows.append({"rule": f"sector in {sorted(fit.sectors)}", "points": fit.sector_points})
    if fit.countries:
        rows.append({"rule": f"country in {sorted(fit.countries)}", "points": fit.country_points})
    rows += [{"rule": f"source {source}", "points": points} for source, points in fit.sources.items()]
    rows += [
        {"rule": rule.name, "points": rule.points, "when": condition_text(rule.when)}
        for rule in spec.fit.rules
    ]
    return rows
