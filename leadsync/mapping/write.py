"""Where the values leadsync manages are written in one CRM object, and in which CRM terms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Final

from leadsync.exceptions import ModelError
from leadsync.mapping.transforms import shown
from leadsync.model import Stage, Temperature

__all__ = ["CANONICAL_IDS", "MANAGED", "SKIP", "Skip", "WriteMapping", "WriteTarget"]

MANAGED: Final = (
    "stage",
    "score",
    "temperature",
    "owner",
    "grade",
    "engagement_score",
    "grade_matrix",
    "stage_entered_at",
    "reasons",
    "email_opt_out",
)
"""The values leadsync decides and writes back: the keys of a `[write.<object>]` table.

`score` is the global score (fit + engagement), `grade` the fit grade ("A"),
`engagement_score` the behaviour points alone, `grade_matrix` both as one label ("A1": grade,
then 1 hot, 2 warm, 3 cold), as HubSpot's and Account Engagement's grade-by-score matrices show.

`email_opt_out` is only ever written as true: consent is never re-granted by leadsync."""

CANONICAL_IDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {"stage": tuple(Stage), "temperature": tuple(Temperature)}
)
"""The managed values that are canonical ids, and so may have a value map."""


class Skip(Enum):
    """Marks a value deliberately left unwritten: a stage its map omits under `unmapped = "skip"`."""

    SKIP = "skip"


SKIP: Final = Skip.SKIP


@dataclass(frozen=True, slots=True)
class WriteTarget:
    """One CRM field a managed value is written to; stage and temperature may map their ids."""

    managed: str
    field: str
    values: Mapping[str, object] | None = None  # canonical id -> CRM value
    skip_unmapped: bool = False

    def crm_value(self, value: object) -> object | Skip:
        """The CRM value that represents `value`, or `SKIP` when this field does not take it.

        Without a value map a stage or temperature is written as its canonical id; score,
        owner (the CRM owner id), stage_entered_at, reasons and email_opt_out go through
        unchanged, and the adapter serialises them in its CRM's format.
        """
        ids = CANONICAL_IDS.get(self.managed)
        if ids is None:
            return value
        key = str(value)
        if key not in ids:
            raise ModelError(f"{shown(value)} is not a {self.managed} id; use one of: {', '.join(ids)}")
        if self.values is None:
            return key
        return self.values.get(key, SKIP)


@dataclass(frozen=True, slots=True)
class WriteMapping:
    """The CRM fields of one object that leadsync writes, per managed value (one or more each)."""

    object_name: str
    targets: Mapping[str, tuple[WriteTarget, ...]]

    def __post_init__(self) -> None:
        for managed, targets in self.targets.items():
            if managed not in MANAGED or any(target.managed != managed for target in targets):
                raise ValueError(
                    f"WriteMapping {self.object_name!r}: targets under {managed!r} are inconsistent"
                )
        object.__setattr__(self, "targets", MappingProxyType(dict(self.targets)))

    def crm_values(self, managed: str, value: object) -> dict[str, object]:
        """CRM field -> CRM value for one managed value; empty when it is not written to this object.

        A target that skips the value (an unmapped stage) is left out, so a stage can be
        written to `hs_lead_status` and not to `lifecyclestage`.
        """
        if managed not in MANAGED:
            raise ModelError(f"{shown(managed)} is not a managed value; use one of: {', '.join(MANAGED)}")
        written: dict[str, object] = {}
        for target in self.targets.get(managed, ()):
            crm_value = target.crm_value(value)
            if crm_value is not SKIP:
                written[target.field] = crm_value
        return written

    def target_fields(self) -> frozenset[str]:
        """Every CRM field this object may be written to: the adapter refuses any other."""
        return frozenset(target.field for targets in self.targets.values() for target in targets)
