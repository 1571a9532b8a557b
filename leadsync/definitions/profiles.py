"""Scoring profiles: who a person is scored as (a business unit, a region), and their grade.

Each person is evaluated under exactly one profile: the first whose condition holds, else
the default one (the top-level tables of the definitions). Stages stay shared, so every CRM
keeps one vocabulary; fit gate, grade, scoring and temperature may differ per profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leadsync.conditions import Facts, Predicate
from leadsync.definitions.scoring import ScoringRules

__all__ = ["DEFAULT_PROFILE", "GradeRules", "Profile", "profile_for"]

DEFAULT_PROFILE = "default"
"""The name of the profile made of the definitions' top-level tables."""


@dataclass(frozen=True, slots=True)
class GradeRules:
    """Fit score → grade: each band's lowest fit score, best first; below them all, `lowest`."""

    bands: tuple[tuple[str, int], ...]
    lowest: str

    def grade(self, fit_score: int) -> str:
        """The grade of a fit score."""
        for grade, floor in self.bands:
            if fit_score >= floor:
                return grade
        return self.lowest

    def grades(self) -> tuple[str, ...]:
        """Every grade, best first."""
        return (*(grade for grade, _floor in self.bands), self.lowest)

    def describe(self) -> str:
        """The bands as people read them: "A ≥ 70, B ≥ 50, C ≥ 30, else D"."""
        return ", ".join([*(f"{grade} ≥ {floor}" for grade, floor in self.bands), f"else {self.lowest}"])


@dataclass(frozen=True, slots=True)
class Profile:
    """One way of scoring people: who it applies to, its fit gate, grade bands and scoring."""

    name: str
    applies: Predicate
    fit_gate: Predicate
    grade: GradeRules
    scoring: ScoringRules


def profile_for(profiles: Sequence[Profile], facts: Facts) -> Profile:
    """The first profile whose condition holds (the last, the default one, always does)."""
    for profile in profiles:
        if profile.applies(facts):
            return profile
    return profiles[-1]
