"""Evaluator throughput: people per second on one core, ~10 activities each, default definitions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from benchmarks.report import Figure, rate
from leadsync.definitions import evaluate, load_definitions
from leadsync.model import Activity, ActivityKind, Person, RecordRef

COUNT = 20_000
AS_OF = datetime(2026, 11, 23, tzinfo=UTC)
DECAY_AS_OF = AS_OF.replace(minute=0, second=0, microsecond=0)  # as the engine's Decider takes it
TITLES = [
    "CEO",
    "PDG",
    "Directrice marketing",
    "Head of Sales",
    "Responsable achats",
    "Manager",
    "Analyst",
    "Étudiant",
    "VP Engineering",
    "Comptable",
]
COUNTRIES = ["FR", "DE", "US", "JP", "GB", "BR"]
INDUSTRIES = ["software", "retail", "banking", "education", "manufacturing"]


def population(count: int, seed: int = 7) -> list[tuple[Person, list[Activity]]]:
    """Deterministic people with 6 to 14 activities each over the last 180 days."""
    rng = random.Random(seed)
    kinds = list(ActivityKind)
    people = []
    for i in range(count):
        ref = RecordRef("bench", "Lead", str(i))
        person = Person(
            ref,
            f"person{i}@company{i % 997}.example",
            title=rng.choice(TITLES),
            employees=rng.choice([None, 10, 80, 300, 5000]),
            industry=rng.choice(INDUSTRIES),
            country=rng.choice(COUNTRIES),
            source=rng.choice(["LinkedIn", "Display", "Organic", ""]),
            created_at=AS_OF - timedelta(days=rng.randint(1, 700)),
            qualification={"budget": rng.random() < 0.3, "need": rng.random() < 0.4},
        )
        activities = [
            Activity(
                RecordRef("bench", "Task", f"{i}.{j}"),
                ref,
                rng.choice(kinds),
                AS_OF - timedelta(hours=rng.randint(0, 180 * 24)),
            )
            for j in range(rng.randint(6, 14))
        ]
        people.append((person, activities))
    return people


def run() -> list[Figure]:
    """Evaluate COUNT people as the engine does (round robin threaded, decay at the hour), both paths."""
    definitions = load_definitions()
    people = population(COUNT)
    activities = sum(len(a) for _, a in people) / COUNT

    def rate_with(*, explain: bool) -> float:
        round_robin: dict[str, int] = {}

        def one(i: int) -> None:
            nonlocal round_robin
            person, acts = people[i]
            decision = evaluate(
                definitions,
                person,
                acts,
                as_of=AS_OF,
                round_robin=round_robin,
                explain=explain,
                decay_as_of=DECAY_AS_OF,
            )
            round_robin = dict(decision.round_robin)

        return rate(one, COUNT)

    fast, explained = rate_with(explain=False), rate_with(explain=True)
    note = f"{COUNT:,} people, {activities:.1f} activities each, default definitions; target ≥ 50,000/s"
    return [
        Figure("evaluator", "people/s on one core, decision only (engine path)", f"{fast:,.0f}/s", note),
        Figure(
            "evaluator",
            "people/s on one core, with explanation",
            f"{explained:,.0f}/s",
            f"the explanation costs {fast / explained:.2f}x",
        ),
    ]
