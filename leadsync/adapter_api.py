"""The adapter contract: what core asks of a CRM adapter, and the errors an adapter raises.

Adapters import this module and `leadsync.model` only. They are found through the
`leadsync.adapters` entry-point group: each entry point names an `AdapterPlugin`, whose
factory is called with an `AdapterContext`. Adapters own paging, batching, rate limits,
retries, error mapping and API-call accounting; they never decide business rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import msgspec

from leadsync.call_log import CallRecord, current_call, logged_call
from leadsync.clock import Clock, ManualClock, SystemClock
from leadsync.exceptions import LeadsyncError, ModelError
from leadsync.mapping import SKIP, CrmMapping, WriteTarget
from leadsync.model import Activity, Cursor, Owner, Person, RecordRef
from leadsync.problems import Problem

__all__ = [
    "SKIP",
    "Adapter",
    "AdapterContext",
    "AdapterError",
    "AdapterFactory",
    "AdapterPlugin",
    "ApiUsage",
    "AuthError",
    "BudgetExhausted",
    "CallRecord",
    "Change",
    "Clock",
    "CostEstimate",
    "CrmMapping",
    "CurrentValues",
    "Estimating",
    "Gone",
    "ManagedValues",
    "ManualClock",
    "ModelError",
    "Page",
    "Problem",
    "PropertyWrite",
    "RawValue",
    "RecordRejected",
    "Rejection",
    "SchemaReport",
    "StreamUnavailable",
    "SystemClock",
    "TransientError",
    "UnmappedFieldError",
    "WriteResult",
    "WriteTarget",
    "current_call",
    "logged_call",
]

T = TypeVar("T")

ManagedValues = Mapping[str, object]
"""Managed value name (stage, score, temperature, owner, stage_entered_at, reasons) → value,
in common-model terms: a canonical stage id, an integer score, an owner e-mail."""


RawValue = str | int | float | bool | None
"""A CRM property's value as the CRM's API gives it; None is empty (HubSpot's `""` included)."""


class AdapterError(LeadsyncError):
    """The root of what an adapter raises; the engine catches nothing wider from an adapter."""


class TransientError(AdapterError):
    """Retry next cycle and keep the old cursor (5xx after retries, timeouts, locks)."""


class BudgetExhausted(TransientError):  # noqa: N818 - a condition, not a fault (STYLE.md §3)
    """The API-call budget of this window is spent: end the cycle cleanly, resume next time."""


class AuthError(AdapterError):
    """Credentials are refused: stop this pipeline until a person acts."""


class StreamUnavailable(AuthError):  # noqa: N818 - a condition, not a fault (STYLE.md §3)
    """The CRM refuses this endpoint to this account (its tier, the token's scopes).

    An optional stream is skipped with a warning and asked again next read; anything else stops
    the pipeline like an `AuthError`. `code` is the CRM's reason (`MISSING_SCOPES`…).
    """

    def __init__(self, message: str, *, code: str, detail: str) -> None:
        super().__init__(message)
        self.code, self.detail = code, detail[:300]


class RecordRejected(AdapterError):  # noqa: N818 - a condition, not a fault (STYLE.md §3)
    """One record cannot be mapped: quarantine it and go on with the batch."""


class UnmappedFieldError(AdapterError):
    """A write named a CRM field no mapping names: refused, nothing is sent."""


class Rejection(msgspec.Struct, frozen=True):
    """A record read from a CRM that could not be mapped, and why (for the quarantine)."""

    ref: RecordRef
    reason: str
    excerpt: str = ""


class Gone(msgspec.Struct, frozen=True):
    """A record deleted, or merged into `survivor` (the record that now speaks for it)."""

    ref: RecordRef
    survivor: RecordRef | None = None


class Page(msgspec.Struct, Generic[T], frozen=True):
    """One page of an incremental read: items, rejected records, and where to resume after it.

    `gone`: records of a people page that are no person of their own any more; core unlinks
    them and never writes to them again.
    """

    items: tuple[T, ...]
    cursor: Cursor
    rejected: tuple[Rejection, ...] = ()
    gone: tuple[Gone, ...] = ()


class CurrentValues(msgspec.Struct, frozen=True):
    """What a CRM holds now in the fields leadsync manages, and who changed the record last.

    `alternatives`: other values a field's CRM state reads as just as well (the CRM cannot tell
    them apart: a mapping that leaves a property unwritten for some values); core reads such a
    field as the value leadsync wrote there when that is one of them.
    """

    ref: RecordRef
    values: ManagedValues
    modified_by: str | None = None
    alternatives: Mapping[str, tuple[object, ...]] = msgspec.field(default_factory=dict)
    properties: Mapping[str, RawValue] = msgspec.field(default_factory=dict)
    """The mapped write properties as the CRM holds them (owner ids, option values): what a
    rollback compares with and puts back."""
    reasons: Mapping[str, str] = msgspec.field(default_factory=dict)
    """Why the record holds a managed value, by name, as the CRM tells it (a lost deal's reason
    for the stage it gives): kept with a stage a human set there, in the stage history."""


class Change(msgspec.Struct, frozen=True):
    """The managed values to write to one record, and those they replace (for the audit log).

    `properties`: mapped CRM properties to set to exactly these values besides (None clears),
    as a rollback puts back what a run replaced; an earlier lifecycle stage is cleared first.
    """

    ref: RecordRef
    values: ManagedValues
    previous: ManagedValues = msgspec.field(default_factory=dict)
    properties: Mapping[str, RawValue] = msgspec.field(default_factory=dict)


class PropertyWrite(msgspec.Struct, frozen=True):
    """One CRM property a write set: the value it held just before, and the value written."""

    before: RawValue
    after: RawValue


class WriteResult(msgspec.Struct, frozen=True):
    """The outcome of writing one record: done, or the CRM's error code, whether to retry it and
    whether the record is gone (deleted, merged, converted: core unlinks it).

    `properties`, on a write done: each CRM property sent and what it held before, the audit
    an exact rollback restores from (empty when the adapter cannot tell).
    """

    ref: RecordRef
    ok: bool
    code: str = ""
    message: str = ""
    retryable: bool = False
    properties: Mapping[str, PropertyWrite] = msgspec.field(default_factory=dict)
    gone: bool = False


class SchemaReport(msgspec.Struct, frozen=True):
    """`check()`: credentials work and the mapping fits the CRM's schema, or what does not."""

    crm: str
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong."""
        return not self.problems


class ApiUsage(msgspec.Struct, frozen=True):
    """API calls made by this adapter in the current cycle, and the CRM's own count if known."""

    calls: int
    used: int | None = None
    limit: int | None = None
    skipped: tuple[str, ...] = ()
    """Why parts of the last read were skipped (e.g. a stream the CRM's tier refuses): warnings."""


class CostEstimate(msgspec.Struct, frozen=True):
    """What a cycle costs a CRM that bills calls in a daily budget of its own units (Pipedrive's tokens)."""

    unit: str
    read: int  # spent by the read just made (a plan reads as a cycle does)
    writes: int  # what writing the planned changes would cost
    budget: int  # the units leadsync may spend a day (its share)
    notes: tuple[str, ...] = ()  # what else a cycle pays, e.g. a full scan each read


@runtime_checkable
class Estimating(Protocol):
    """An adapter whose CRM bills calls in budget units: `leadsync plan` shows its estimate."""

    def estimate(self, records: int) -> CostEstimate:
        """The cost of the read made so far and of writing `records` records."""
        ...


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """Everything an adapter factory is given: its CRM's name, settings and mapping, time."""

    name: str
    options: Mapping[str, Any]
    mapping: CrmMapping
    clock: Clock
    sleep: Callable[[float], None] = field(default=lambda _seconds: None)
    config_file: str = ""
    """The config file `options` come from, for messages that say where to change one ("": unknown)."""


class Adapter(Protocol):
    """A CRM as leadsync sees it. A third-party adapter satisfies it without inheriting.

    Its methods are called from several threads at once (the streams, `read_current` and the
    batches of `apply` are sent side by side); each stream's iterator stays on one thread.
    """

    name: str
    write_batch_size: int
    """Records one write call carries: `apply` on n changes takes ceil(n / this) calls when all is well."""

    def check(self) -> SchemaReport:
        """Auth works; every mapped field exists with a compatible type and is writable."""
        ...

    def owners(self) -> Iterable[Owner]:
        """The CRM's users who can own people, with their e-mails and ids."""
        ...

    def changed_people(self, since: Cursor) -> Iterator[Page[Person]]:
        """People changed strictly after `since`, page by page, in (stamp, id) order."""
        ...

    def changed_activities(self, since: Cursor) -> Iterator[Page[Activity]]:
        """Activities changed strictly after `since`, page by page."""
        ...

    def read_current(self, refs: Sequence[RecordRef]) -> Iterable[CurrentValues]:
        """The managed values the CRM holds now for these records."""
        ...

    def apply(self, changes: Sequence[Change]) -> Iterable[WriteResult]:
        """Write in batches; one result per change, in order."""
        ...

    def usage(self) -> ApiUsage:
        """API calls made so far in this cycle."""
        ...


AdapterFactory = Callable[[AdapterContext], Adapter]
"""Builds a connected adapter from its context."""


@dataclass(frozen=True, slots=True)
class AdapterPlugin:
    """What a `leadsync.adapters` entry point names: a factory and the default mapping file."""

    create: AdapterFactory
    default_mapping: Path
