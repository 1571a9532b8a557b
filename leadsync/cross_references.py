"""Which records are one person by the ids they hold of each other, before any e-mail says so.

A vendor's own sync keeps, in one CRM's record, the ids of the records it syncs with in another
(HubSpot's `salesforcecontactid`, Marketo's `sfdcLeadId`, Account Engagement's
`salesforceContactId`). Such a *claim* is stronger evidence than an e-mail: it holds when
an address has a typo or changed on one side. So a new record joins the person of a record it
claims, or of one that claims it, before its e-mail is looked up; and a claim between records
of two people makes them one person.

A target is claimed at most once per claiming CRM: a sync pairs one record with one record, so
two records of one CRM naming the same target mean one of them holds a stale id (an import,
a re-created record). The record with the lowest id keeps the claim; the others are
overruled, and linked by their other claims or their e-mail. Pure functions: the state store
gathers the facts and applies the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from leadsync.model import Person, RecordRef

__all__ = ["Claim", "Overruled", "claims_of", "honoured", "id_order", "joined_by", "merged_people"]

P = TypeVar("P", bound=int)


@dataclass(frozen=True, order=True, slots=True)
class Claim:
    """`record` holds the id of `target`: both are records of one person."""

    record: RecordRef
    target: RecordRef

    def __str__(self) -> str:
        return f"{self.record} names {self.target}"


@dataclass(frozen=True, slots=True)
class Overruled:
    """A claim that does not count: another record of its CRM names the same target and keeps it."""

    claim: Claim
    kept: Claim

    def __str__(self) -> str:
        return (
            f"{self.claim} as {self.kept.record} does; one {self.claim.record.crm} record per target "
            f"counts, the lowest id, so {self.claim.record} is linked by its other ids or its e-mail"
        )


def claims_of(person: Person) -> list[Claim]:
    """The claims a record makes, in the order its mapping lists them."""
    return [Claim(person.ref, target) for target in person.same_as]


def id_order(ref: RecordRef) -> tuple[str, str, int, str]:
    """Records of one CRM object in id order: numeric ids as numbers, others as text (shorter first)."""
    return ref.crm, ref.object_type, len(ref.record_id), ref.record_id


def honoured(claims: Iterable[Claim]) -> tuple[set[Claim], list[Overruled]]:
    """The claims that count, and those overruled: per target and claiming CRM, the lowest id's.

    Give every claim naming each target concerned, or a claim may count that another overrules.
    """
    by_target: dict[tuple[RecordRef, str], list[Claim]] = {}
    for claim in claims:
        by_target.setdefault((claim.target, claim.record.crm), []).append(claim)
    kept: set[Claim] = set()
    overruled: list[Overruled] = []
    for rivals in by_target.values():
        first, *others = sorted(set(rivals), key=lambda c: id_order(c.record))
        kept.add(first)
        overruled += (Overruled(other, first) for other in others)
    return kept, sorted(overruled, key=lambda o: (o.claim.target, id_order(o.claim.record)))


def joined_by(
    ref: RecordRef, claims: Sequence[Claim], person_of: Mapping[RecordRef, P]
) -> tuple[P, Claim] | None:
    """The person a new record joins by its claims, and the claim that says so; None: by e-mail.

    Its own claims come first, in the order its mapping lists them (an admin puts the Contact
    before the Lead); then the records that name it, in id order. `person_of` gives the person
    of each record linked so far (a merged-away record: its survivor's).
    """
    own = [claim for claim in claims if claim.record == ref]
    named = sorted((claim for claim in claims if claim.target == ref), key=lambda c: id_order(c.record))
    for claim in (*own, *named):
        other = claim.target if claim.record == ref else claim.record
        if other in person_of:
            return person_of[other], claim
    return None


def merged_people(joins: Iterable[tuple[P, P]]) -> dict[P, P]:
    """Each person a claim joins to another, mapped to the one that stays: the lowest id of the group.

    The oldest person stays, whichever order the claims came in; people joined to no other
    are left out.
    """
    parent: dict[P, P] = {}

    def root(person: P) -> P:
        while parent.get(person, person) != person:
            person = parent[person]
        return person

    for first, second in joins:
        one, other = root(first), root(second)
        if one != other:
            low, high = (one, other) if one < other else (other, one)
            parent[high] = low
    return {person: root(person) for person in parent if root(person) != person}
