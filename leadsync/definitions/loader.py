"""Load `definitions.toml`: validate its shape, check it as a whole, compile it once.

Every problem in the file is collected — shape errors from pydantic, then the cross-checks
below — and raised together as one ConfigError naming the file, the key and the fix.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import Final

from pydantic import ValidationError

from leadsync.conditions import Predicate, always, compile_condition, condition_fields
from leadsync.config_problems import problems_from
from leadsync.definitions.evaluator import Definitions, SlaRules
from leadsync.definitions.facts import DECISION_FACTS, OPEN_PREFIXES, PERSON_FACTS, PROFILE_FACTS, FactsPlan
from leadsync.definitions.owners import OwnerRules, Territory
from leadsync.definitions.profiles import DEFAULT_PROFILE, GradeRules, Profile
from leadsync.definitions.schema import (
    DefinitionsSpec,
    GradeSpec,
    ProfileSpec,
    RouteSpec,
    ScoringSpec,
    StageSpec,
    TemperatureSpec,
)
from leadsync.definitions.scoring import Band, FitRules, KindRule, ScoringRules, TemperatureRules
from leadsync.definitions.stages import FUNNEL, Checklist, Funnel, Recycle, Route, StageDef
from leadsync.definitions.titles import TitleRules, fold_title, phrase_pattern
from leadsync.emails import normalize_email
from leadsync.exceptions import ConfigError, ModelError
from leadsync.model import Stage
from leadsync.problems import Problems
from leadsync.toml_input import parse_toml, read_toml_text

__all__ = ["BUILT_IN_CHECKLISTS", "default_definitions_path", "load_definitions"]

BUILT_IN_CHECKLISTS: Final = {
    "bant": ("budget", "authority", "need", "timing"),
    "champ": ("challenges", "authority", "money", "prioritization"),
    "meddicc": (
        "metrics",
        "economic_buyer",
        "decision_criteria",
        "decision_process",
        "identify_pain",
        "champion",
        "competition",
    ),
}
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")
_ASSIGN_BY: Final = Stage.SQL


def default_definitions_path() -> Path:
    """The definitions file shipped with leadsync (a copy of mappings/definitions.toml)."""
    return Path(str(files("leadsync.definitions") / "default.toml"))


def load_definitions(path: Path | None = None) -> Definitions:
    """Load and compile a definitions file (the shipped default when `path` is None)."""
    file = path or default_definitions_path()
    text = read_toml_text(
        file, missing_hint="give the path of a definitions file, e.g. mappings/definitions.toml"
    )
    raw = parse_toml(file, text)
    problems = Problems(str(file))
    try:
        spec = DefinitionsSpec.model_validate(raw)
    except ValidationError as exc:
        problems.extend(problems_from(exc, str(file), DefinitionsSpec))
        raise ConfigError(problems.items) from None
    definitions = _Compiler(problems).compile(spec, file, hashlib.sha256(text.encode()).hexdigest()[:12])
    if problems:
        raise ConfigError(problems.items)
    return definitions


def _condition_fields(spec: DefinitionsSpec) -> frozenset[str]:
    """Every fact any condition of the definitions names."""
    conditions = [spec.fit_gate.when, *(rule.when for rule in spec.scoring.fit.rules)]
    for profile in spec.profiles:
        conditions.append(profile.when)
        if profile.fit_gate:
            conditions.append(profile.fit_gate.when)
        if profile.scoring:
            conditions += [rule.when for rule in profile.scoring.fit.rules]
    conditions += [route.when for stage in spec.stages.values() for route in stage.entry if route.when]
    conditions += [block.when for stage in spec.stages.values() for block in stage.block]
    conditions += [territory.when for territory in spec.owners.territories if territory.when]
    return frozenset().union(*(condition_fields(condition) for condition in conditions))


class _Compiler:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def condition(self, raw: object, key: str, fields: Collection[str]) -> Predicate:
        return compile_condition(raw, self.problems, key, fields=fields, open_prefixes=OPEN_PREFIXES)

    def compile(self, spec: DefinitionsSpec, file: Path, version: str) -> Definitions:
        checklists = self.checklists(spec.checklists)
        return Definitions(
            name=spec.name,
            version=version,
            file=str(file),
            funnel=self.funnel(spec, checklists),
            profiles=self.profiles(spec),
            titles=self.titles(spec),
            owners=self.owners(spec),
            sla=SlaRules(spec.sla.sql_follow_up_hours, frozenset(str(k) for k in spec.sla.follow_up)),
            checklists=checklists,
            source=spec,
            facts=FactsPlan.for_fields(_condition_fields(spec)),
            owned_stages=frozenset(FUNNEL[FUNNEL.index(spec.owners.assign_from) :])
            if spec.owners.assign_from in FUNNEL
            else frozenset(),
        )

    def titles(self, spec: DefinitionsSpec) -> TitleRules:
        for i, rule in enumerate(spec.job_levels):
            for j, phrase in enumerate(rule.titles):
                if not fold_title(phrase.removesuffix("*")):
                    self.problems.add(
                        f"job_levels[{i}].titles[{j}]",
                        "an empty phrase would match every title",
                        'write a word or phrase, e.g. "head of" or "fondat*"',
                    )
        return TitleRules(tuple((rule.level, phrase_pattern(rule.titles)) for rule in spec.job_levels))

    def checklists(self, custom: dict[str, list[str]]) -> dict[str, Checklist]:
        result = {name: Checklist(name, items) for name, items in BUILT_IN_CHECKLISTS.items()}
        for name, items in custom.items():
            key = f"checklists.{name}"
            if name.casefold() in result:
                self.problems.add(key, f"{name!r} is a built-in checklist", "give yours another name")
            elif not items or len(set(items)) != len(items):
                self.problems.add(key, "needs distinct items", 'e.g. ["pain", "budget", "timing"]')
            else:
                result[name.casefold()] = Checklist(name, tuple(items))
        return result

    def funnel(self, spec: DefinitionsSpec, checklists: dict[str, Checklist]) -> Funnel:
        missing = [stage for stage in Stage if stage not in spec.stages]
        for stage in missing:
            self.problems.add(
                f"stages.{stage}",
                "this canonical stage is not defined",
                f'add [stages.{stage}] with label = "…" and mode = "computed" or "manual"',
            )
        stages = {
            stage: self.stage(stage, stage_spec, checklists) for stage, stage_spec in spec.stages.items()
        }
        recycle = spec.recycle
        for i, stage in enumerate(recycle.from_stages):
            if stage not in FUNNEL or (stage in stages and stages[stage].manual):
                self.problems.add(
                    f"recycle.from[{i}]",
                    f"{stage} cannot recycle",
                    "list computed funnel stages such as mql, sql",
                )
        return Funnel(
            stages=stages,
            recycle=Recycle(
                after=timedelta(days=recycle.after_days) if recycle.after_days else None,
                from_stages=frozenset(recycle.from_stages),
                reentry_on=frozenset(recycle.reentry_on),
            ),
            names=self.stage_names(spec.stages),
        )

    def stage(self, stage: Stage, spec: StageSpec, checklists: dict[str, Checklist]) -> StageDef:
        key = f"stages.{stage}"
        manual = spec.mode == "manual"
        if spec.entry and (manual or stage in (Stage.LEAD, Stage.NURTURE)):
            why = {
                Stage.LEAD: "everyone starts as a lead",
                Stage.NURTURE: "people enter nurture through [recycle]",
            }.get(stage, "a manual stage is only set by a human in a CRM")
            self.problems.add(
                f"{key}.entry", f"{stage} takes no entry routes: {why}", "remove the entry tables"
            )
        if not spec.entry and not manual and stage in FUNNEL and stage is not Stage.LEAD:
            self.problems.add(
                f"{key}.entry",
                f"the computed stage {stage} has no entry route, so no one can reach it",
                f'add [[{key}.entry]] (e.g. min_temperature = "warm") or set mode = "manual"',
            )
        if stage in (Stage.LEAD, Stage.NURTURE) and manual:
            self.problems.add(f"{key}.mode", f"{stage} must be computed", 'set mode = "computed"')
        if stage is Stage.DISQUALIFIED and not manual:
            self.problems.add(
                f"{key}.mode", "disqualified is set by a person, never computed", 'set mode = "manual"'
            )
        routes = tuple(
            self.route(route, f"{key}.entry[{i}]", checklists) for i, route in enumerate(spec.entry)
        )
        if spec.block and not routes:
            self.problems.add(
                f"{key}.block", f"{stage} has no entry route to block", "remove the block tables"
            )
        blocks = tuple(
            (block.name, self.condition(block.when, f"{key}.block[{i}].when", DECISION_FACTS))
            for i, block in enumerate(spec.block)
        )
        return StageDef(stage, spec.label, tuple(spec.aliases), manual, routes, blocks)

    def route(self, spec: RouteSpec, key: str, checklists: dict[str, Checklist]) -> Route:
        if not (
            spec.min_score is not None or spec.min_temperature or spec.triggers or spec.checklist or spec.when
        ):
            self.problems.add(
                key,
                "an entry route needs at least one criterion",
                "set min_score, min_temperature, triggers, checklist or when",
            )
        checklist = None
        if spec.checklist is not None:
            checklist = checklists.get(spec.checklist.casefold())
            if checklist is None:
                self.problems.add(
                    f"{key}.checklist",
                    f"unknown checklist {spec.checklist!r}",
                    f"use one of {', '.join(sorted(checklists))} or define it under [checklists]",
                )
            elif spec.min_checked is not None and spec.min_checked > len(checklist.items):
                self.problems.add(
                    f"{key}.min_checked",
                    f"{checklist.name} has only {len(checklist.items)} items",
                    f"use at most {len(checklist.items)}",
                )
        elif spec.min_checked is not None:
            self.problems.add(f"{key}.min_checked", "min_checked needs a checklist", 'add checklist = "bant"')
        min_checked = spec.min_checked or (len(checklist.items) if checklist else 0)
        return Route(
            name=spec.name,
            min_score=spec.min_score,
            min_temperature=spec.min_temperature,
            requires_fit=spec.fit,
            triggers=frozenset(spec.triggers),
            trigger_window=timedelta(days=spec.within_days),
            checklist=checklist,
            min_checked=min_checked,
            condition=self.condition(spec.when, f"{key}.when", DECISION_FACTS) if spec.when else None,
        )

    def stage_names(self, specs: dict[Stage, StageSpec]) -> dict[str, Stage]:
        names: dict[str, Stage] = {stage.value: stage for stage in Stage}
        for stage, spec in specs.items():
            for i, name in enumerate((spec.label, *spec.aliases)):
                folded = name.strip().casefold()
                other = names.setdefault(folded, stage)
                if other is not stage:
                    key = f"stages.{stage}.label" if i == 0 else f"stages.{stage}.aliases[{i - 1}]"
                    self.problems.add(key, f"{name!r} already names {other}", "give each stage its own names")
        return names

    def profiles(self, spec: DefinitionsSpec) -> tuple[Profile, ...]:
        """Each [[profiles]] entry in order, then the default one made of the top-level tables."""
        default = Profile(
            DEFAULT_PROFILE,
            always,
            self.condition(spec.fit_gate.when, "fit_gate.when", DECISION_FACTS),
            self.grade(spec.grade, "grade"),
            self.scoring(spec.scoring, self.temperature(spec.temperature, ""), ""),
        )
        profiles = []
        self.unique_names([DEFAULT_PROFILE, *(p.name for p in spec.profiles)], "profiles", first=-1)
        for i, profile in enumerate(spec.profiles):
            key = f"profiles[{i}]"
            fit_gate = (
                self.condition(profile.fit_gate.when, f"{key}.fit_gate.when", DECISION_FACTS)
                if profile.fit_gate
                else default.fit_gate
            )
            profiles.append(
                Profile(
                    profile.name,
                    self.condition(profile.when, f"{key}.when", PROFILE_FACTS),
                    fit_gate,
                    self.grade(profile.grade, f"{key}.grade") if profile.grade else default.grade,
                    self.profile_scoring(profile, default.scoring, f"{key}."),
                )
            )
        return (*profiles, default)

    def profile_scoring(self, profile: ProfileSpec, default: ScoringRules, prefix: str) -> ScoringRules:
        """A profile's scoring: the tables it sets, compiled (and checked) once; the default's others."""
        temperature = (
            self.temperature(profile.temperature, prefix) if profile.temperature else default.temperature
        )
        if profile.scoring:
            return self.scoring(profile.scoring, temperature, prefix)
        return dataclasses.replace(default, temperature=temperature)

    def temperature(self, temperature: TemperatureSpec, prefix: str) -> TemperatureRules:
        if temperature.hot_above < temperature.warm_from:
            self.problems.add(
                f"{prefix}temperature.hot_above", "is below warm_from", "hot_above must be at least warm_from"
            )
        return TemperatureRules(
            warm_from=temperature.warm_from,
            hot_above=temperature.hot_above,
            window=timedelta(days=temperature.window_days),
            warm_interactions=temperature.warm_interactions,
            qualified=frozenset(temperature.qualified),
            hot_on=frozenset(temperature.hot_on),
            dormant_after=timedelta(days=temperature.dormant_after_days)
            if temperature.dormant_after_days
            else None,
        )

    def grade(self, spec: GradeSpec, key: str) -> GradeRules:
        floors = list(spec.bands.values())
        if any(later >= earlier for earlier, later in itertools.pairwise(floors)):
            self.problems.add(
                f"{key}.bands",
                "each grade must need fewer fit points than the one before it",
                "list the bands best first, e.g. { A = 70, B = 50, C = 30 }",
            )
        if spec.lowest in spec.bands:
            self.problems.add(f"{key}.lowest", f"{spec.lowest!r} is also a band", 'name it apart, e.g. "D"')
        return GradeRules(tuple(spec.bands.items()), spec.lowest)

    def scoring(self, spec: ScoringSpec, temperature: TemperatureRules, prefix: str) -> ScoringRules:
        engagement = spec.engagement
        kinds = {
            kind: KindRule.of(
                rule.points,
                rule.cap,
                engagement.half_life_days if rule.half_life_days is None else rule.half_life_days,
            )
            for kind, rule in engagement.kinds.items()
        }
        return ScoringRules(
            fit=self.fit(spec, prefix),
            kinds=kinds,
            temperature=temperature,
            groups=tuple(
                (name, frozenset(group.kinds), float(group.cap)) for name, group in engagement.groups.items()
            ),
        )

    def fit(self, spec: ScoringSpec, prefix: str) -> FitRules:
        fit = spec.fit
        for i, band in enumerate(fit.employees):
            if band.max is not None and band.max < band.min:
                self.problems.add(
                    f"{prefix}scoring.fit.employees[{i}].max", "is below min", "swap min and max"
                )
        countries = fit.countries.values if fit.countries else []
        for i, code in enumerate(countries):
            if not _COUNTRY.match(code):
                self.problems.add(
                    f"{prefix}scoring.fit.countries.values[{i}]",
                    f"{code!r} is not an ISO 3166 alpha-2 code",
                    'use two capital letters, e.g. "FR", "DE", "US"',
                )
        rules = tuple(
            (
                f"fit.rule.{rule.name}",
                rule.name,
                rule.points,
                self.condition(rule.when, f"{prefix}scoring.fit.rules[{i}].when", PERSON_FACTS),
            )
            for i, rule in enumerate(fit.rules)
        )
        return FitRules(
            job_level=dict(fit.job_level),
            bands=tuple(Band(band.min, band.max, band.points) for band in fit.employees),
            sector_points=fit.sectors.points if fit.sectors else 0,
            sectors=frozenset(s.casefold() for s in fit.sectors.values) if fit.sectors else frozenset(),
            country_points=fit.countries.points if fit.countries else 0,
            countries=frozenset(countries),
            sources={name.casefold(): points for name, points in fit.sources.items()},
            rules=rules,
        )

    def owners(self, spec: DefinitionsSpec) -> OwnerRules:
        owners = spec.owners
        if owners.assign_from not in FUNNEL or FUNNEL.index(owners.assign_from) > FUNNEL.index(_ASSIGN_BY):
            self.problems.add(
                "owners.assign_from",
                f"an sql always ends with an owner, so owners are assigned by {_ASSIGN_BY} at the latest",
                "use lead, mql or sql",
            )
        fallback = self.email(owners.fallback, "owners.fallback") or owners.fallback
        territories = []
        self.unique_names([t.name for t in owners.territories], "owners.territories")
        for i, territory in enumerate(owners.territories):
            key = f"owners.territories[{i}]"
            pool = self.emails(territory.pool, f"{key}.pool")
            covers: Predicate = (
                self.condition(territory.when, f"{key}.when", DECISION_FACTS) if territory.when else always
            )
            territories.append(Territory(territory.name, covers, pool))
        return OwnerRules(
            owners.keep_existing, owners.assign_from, tuple(territories), fallback, tuple(owners.queues)
        )

    def unique_names(self, names: Sequence[str], table: str, *, first: int = 0) -> None:
        """A problem for each name used before in `names`; `first` is the index of names[0]
        (-1: a name the file does not write, such as the default profile's)."""
        seen: set[str] = set()
        for i, name in enumerate(names, start=first):
            if name in seen:
                self.problems.add(f"{table}[{i}].name", f"{name!r} is used twice", "give each its own name")
            seen.add(name)

    def emails(self, values: Iterable[str], key: str) -> tuple[str, ...]:
        return tuple(email for i, raw in enumerate(values) if (email := self.email(raw, f"{key}[{i}]")))

    def email(self, raw: str, key: str) -> str | None:
        try:
            return normalize_email(raw)
        except ModelError as exc:
            self.problems.add(key, str(exc), "write the owner's e-mail as it is in the CRMs")
            return None
