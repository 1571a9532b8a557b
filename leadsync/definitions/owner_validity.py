"""Which owners may keep a record: active people, and the queues the definitions list; never an
integration user. Each refused owner keeps the reason `explain` shows."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from leadsync.model import Owner, OwnerKind

__all__ = ["ValidOwners", "kind_counts", "valid_everywhere", "valid_owners", "why_not"]

_UNKNOWN = "no active user of the CRM"


@dataclass(frozen=True, slots=True)
class ValidOwners(Collection[str]):
    """The e-mails that may own a record (`in` tests them), and why each other known e-mail may not."""

    emails: frozenset[str]
    refused: Mapping[str, str] = field(default_factory=dict)

    def __contains__(self, email: object) -> bool:
        return email in self.emails

    def __iter__(self) -> Iterator[str]:
        return iter(self.emails)

    def __len__(self) -> int:
        return len(self.emails)


def valid_owners(owners: Iterable[Owner], queues: Collection[str] = ()) -> ValidOwners:
    """One CRM's valid owners: active people, and active queues listed by e-mail or name in `queues`."""
    listed = {queue.strip().casefold() for queue in queues}
    emails: set[str] = set()
    refused: dict[str, str] = {}
    for owner in owners:
        why = _refusal(owner, listed)
        if why:
            refused.setdefault(owner.email, why)
        else:
            emails.add(owner.email)
    return ValidOwners(frozenset(emails), {e: w for e, w in refused.items() if e not in emails})


def valid_everywhere(sets: Sequence[Collection[str]]) -> ValidOwners | None:
    """The owners valid in every CRM of `sets` (None: no CRM known), with every CRM's refusals."""
    if not sets:
        return None
    emails = frozenset.intersection(*(frozenset(s) for s in sets))
    refused: dict[str, str] = {}
    for owners in sets:
        if isinstance(owners, ValidOwners):
            for email, why in owners.refused.items():
                refused.setdefault(email, why)
    return ValidOwners(emails, refused)


def why_not(owners: Collection[str], email: str) -> str:
    """Why `email` may not own a record, given the valid `owners` (the reason as `explain` words it)."""
    if isinstance(owners, ValidOwners):
        return owners.refused.get(email, _UNKNOWN)
    return _UNKNOWN


def kind_counts(owners: Iterable[Owner]) -> dict[str, int]:
    """How many owners of each kind a CRM lists, inactive ones apart: what `check --live` reports."""
    counts = {kind.value: 0 for kind in OwnerKind} | {"inactive": 0}
    for owner in owners:
        counts[owner.kind.value if owner.active else "inactive"] += 1
    return counts


def _refusal(owner: Owner, listed: Collection[str]) -> str:
    if owner.kind is OwnerKind.INTEGRATION:
        return "an integration user"
    if not owner.active:
        return "inactive"
    if owner.kind is OwnerKind.QUEUE and not {owner.email, owner.name.casefold()} & set(listed):
        return "a queue not listed in owners.queues"
    return ""
