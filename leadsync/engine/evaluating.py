"""Evaluate people in streaming batches, and measure the impact of what they would change.

The same pass serves a cycle (its changes go to the writer), the blast-radius guard and
`leadsync plan` (their changes are only counted): memory holds one batch at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import msgspec

from leadsync.adapter_api import Change, CostEstimate
from leadsync.engine.deciding import Decider, Outcome
from leadsync.plan import plan_changes
from leadsync.store import PersonFile, PersonId, Store

__all__ = ["BATCH", "Evaluation", "Impact", "batches", "evaluations"]

BATCH: Final = 500
_GUARDED: Final = ("stage", "owner")
_SAMPLES: Final = 20


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One person evaluated: their file, the decision, and each record's change with what it holds."""

    file: PersonFile
    outcome: Outcome
    changes: tuple[tuple[Change, Mapping[str, object]], ...]

    def guarded_changes(self) -> int:
        """Records leadsync wrote before whose stage or owner this evaluation would change."""
        return sum(
            1
            for change, _ in self.changes
            if change.ref in self.file.values
            and self.file.values[change.ref].written_at is not None
            and any(name in change.values for name in _GUARDED)
        )


def batches(store: Store, before: datetime | None, *, size: int = BATCH) -> Iterator[list[PersonId]]:
    """Keyset pages of the people due before `before` (None: everyone)."""
    after: PersonId | None = None
    while ids := store.persons.due(before, after=after, limit=size):
        yield ids
        after = ids[-1]


def evaluations(store: Store, decider: Decider, pages: Iterable[list[PersonId]]) -> Iterator[Evaluation]:
    """Decide each person of each page and plan their records' changes against what they hold."""
    for ids in pages:
        for file in store.persons.files(ids):
            outcome = decider.decide(file)
            held = {
                ref: (file.values[ref].last_read if ref in file.values else {}) for ref in outcome.desired
            }
            changes = plan_changes(outcome.desired, held)
            yield Evaluation(file, outcome, tuple((change, held[change.ref]) for change in changes))


@dataclass(slots=True)
class Impact:
    """What a pass would change: per CRM and value, stage moves, and samples."""

    people: int = 0
    guarded: int = 0
    records: Counter[str] = field(default_factory=Counter)  # crm -> records that change
    fields: dict[str, Counter[str]] = field(default_factory=dict)  # crm -> managed value -> records
    stage_moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    profiles: Counter[str] = field(default_factory=Counter)  # scoring profile -> people decided under it
    review: int = 0  # people flagged for review
    samples: list[dict[str, Any]] = field(default_factory=list)
    costs: dict[str, CostEstimate] = field(default_factory=dict)  # crm -> budget units, where billed

    def add(self, evaluation: Evaluation) -> None:
        """Count one person's evaluation."""
        self.people += 1
        self.guarded += evaluation.guarded_changes()
        decision = evaluation.outcome.decision
        if decision is not None:
            self.profiles[decision.profile] += 1
            self.review += decision.review is not None
        move = evaluation.outcome.stage_change
        if move is not None:
            self.stage_moves[str(move.from_stage or "none"), str(move.to_stage)] += 1
        for change, _ in evaluation.changes:
            crm = change.ref.crm
            self.records[crm] += 1
            self.fields.setdefault(crm, Counter()).update(change.values.keys())
            if len(self.samples) < _SAMPLES:
                self.samples.append(
                    {
                        "record": str(change.ref),
                        "email": evaluation.file.state.email,
                        "changes": {
                            name: {"from": _plain(change.previous.get(name)), "to": _plain(value)}
                            for name, value in change.values.items()
                        },
                    }
                )

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "people": self.people,
            "guarded_changes": self.guarded,
            "records": dict(sorted(self.records.items())),
            "fields": {crm: dict(sorted(c.items())) for crm, c in sorted(self.fields.items())},
            "stage_moves": [
                {"from": a, "to": b, "people": n} for (a, b), n in sorted(self.stage_moves.items())
            ],
            "profiles": dict(sorted(self.profiles.items())),
            "review": self.review,
            "samples": self.samples,
            "costs": {crm: msgspec.structs.asdict(cost) for crm, cost in sorted(self.costs.items())},
        }


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
