"""The facts a definitions condition can test, and how they are taken from a person."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from leadsync.model import ActivityKind, JobLevel, Person

__all__ = ["DECISION_FACTS", "OPEN_PREFIXES", "PERSON_FACTS", "person_facts"]

PERSON_FACTS: Final = (
    "email",
    "email_domain",
    "first_name",
    "last_name",
    "title",
    "job_level",
    "company",
    "employees",
    "industry",
    "country",
    "source",
    "stage",
    "owner_email",
    "days_since_created",
    "days_since_last_activity",
)
"""What fit rules may test: who the person is (scores are not known yet)."""

DECISION_FACTS: Final = (*PERSON_FACTS, "fit_score", "engagement_score", "score", "temperature")
"""What the fit gate, stage routes and territories may test."""

OPEN_PREFIXES: Final = ("qualification.", "attributes.", "count.")
"""Facts named by the data: qualification answers, mapped attributes, activity counts per kind."""

_SECONDS_PER_DAY: Final = 86_400.0
_COUNT_NAMES: Final = {kind: f"count.{kind}" for kind in ActivityKind}


def person_facts(
    person: Person,
    level: JobLevel | None,
    counts: Mapping[ActivityKind, int],
    last_touch: datetime | None,
    *,
    as_of: datetime,
) -> dict[str, object]:
    """The facts conditions see about a person, before scores are added (`counts` per activity kind)."""
    facts: dict[str, object] = {
        "email": person.email,
        "email_domain": person.email.rpartition("@")[2],
        "first_name": person.first_name,
        "last_name": person.last_name,
        "title": person.title,
        "job_level": str(level) if level else None,
        "company": person.company,
        "employees": person.employees,
        "industry": person.industry,
        "country": person.country,
        "source": person.source,
        "stage": str(person.stage) if person.stage else None,
        "owner_email": person.owner_email,
        "days_since_created": _days(as_of, person.created_at),
        "days_since_last_activity": _days(as_of, last_touch),
    }
    for key, answer in person.qualification.items():
        facts[f"qualification.{key}"] = answer
    for key, value in person.attributes.items():
        facts[f"attributes.{key}"] = value
    for kind, count in counts.items():
        facts[_COUNT_NAMES[kind]] = count
    return facts


def _days(as_of: datetime, since: datetime | None) -> float | None:
    return None if since is None else (as_of - since).total_seconds() / _SECONDS_PER_DAY
