"""Who owns a person: keep a valid owner, else a territory's pool in turn, else the fallback.

The round-robin position of each territory is an input and an output of `choose_owner`:
the caller (the engine, through the store) keeps it, so the evaluator stays pure.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import msgspec

from leadsync.conditions import Facts, Predicate
from leadsync.definitions.owner_validity import why_not
from leadsync.model import Stage

__all__ = ["OwnerChoice", "OwnerRules", "RoundRobin", "Territory", "choose_owner"]

RoundRobin = Mapping[str, int]
"""The next position to serve in each territory's pool, by territory name."""


@dataclass(frozen=True, slots=True)
class Territory:
    """Who a territory covers and the owners who share it, served in turn."""

    name: str
    covers: Predicate
    pool: tuple[str, ...]
    served: str = field(init=False, repr=False, compare=False)  # the reason, built once, not per person

    def __post_init__(self) -> None:
        object.__setattr__(self, "served", f"territory {self.name}, round robin")


@dataclass(frozen=True, slots=True)
class OwnerRules:
    """The owner rules of the definitions."""

    keep_existing: bool
    assign_from: Stage
    territories: tuple[Territory, ...]
    fallback: str
    queues: tuple[str, ...] = ()  # queue e-mails or names that may own records
    unassigned: str = field(init=False, repr=False, compare=False)  # built once, not per person

    def __post_init__(self) -> None:
        object.__setattr__(self, "unassigned", f"owners are assigned from {self.assign_from} on")


class OwnerChoice(msgspec.Struct, frozen=True):
    """The owner a person should have, why, and the round-robin positions after choosing."""

    email: str | None
    reason: str
    round_robin: RoundRobin


def choose_owner(
    rules: OwnerRules,
    facts: Facts,
    current: str | None,
    *,
    needs_owner: bool,
    round_robin: RoundRobin,
    active_owners: Collection[str] | None,
) -> OwnerChoice:
    """Keep a valid owner; otherwise, if the stage needs one, assign from the matching territory.

    `active_owners` are the e-mails of the valid owners in the CRMs (`owner_validity`); None
    means unknown, and then every owner counts as valid. A current owner who is not valid (an
    integration user, an unlisted queue, someone who left) is replaced by the rules, and the
    reason says why.
    """
    valid = current is not None and (active_owners is None or current in active_owners)
    if valid and rules.keep_existing:
        return OwnerChoice(current, "current owner kept (active)", round_robin)
    if not needs_owner:
        return OwnerChoice(current, rules.unassigned, round_robin)
    choice = _assigned(rules, facts, current if valid else None, round_robin, active_owners)
    if current is None or valid or active_owners is None:
        return choice
    why = f"current owner {current} is {why_not(active_owners, current)}: assigned by the rules, "
    return OwnerChoice(choice.email, why + choice.reason, choice.round_robin)


def _assigned(
    rules: OwnerRules,
    facts: Facts,
    current: str | None,
    round_robin: RoundRobin,
    active_owners: Collection[str] | None,
) -> OwnerChoice:
    """The owner the territories (then the fallback) give; a valid `current` in the pool stays."""
    for territory in rules.territories:
        if not territory.covers(facts):
            continue
        if current is not None and current in territory.pool:
            return OwnerChoice(current, f"territory {territory.name}, current owner kept", round_robin)
        position = round_robin.get(territory.name, 0)
        size = len(territory.pool)
        for step in range(size):
            candidate = territory.pool[(position + step) % size]
            if active_owners is None or candidate in active_owners:
                updated = {**round_robin, territory.name: (position + step + 1) % size}
                return OwnerChoice(candidate, territory.served, updated)
    return OwnerChoice(rules.fallback, "fallback owner: no territory with an active owner", round_robin)
