"""The common model every CRM is mapped into: people, activities, owners, stages.

Values are frozen `msgspec.Struct`s validated in `__post_init__`: the engine builds them by
the hundred thousand, and `benchmarks/bench_model.py` measured them faster than a frozen
slotted dataclass or a pydantic v2 model with the same checks (docs/benchmarks.md).
Every datetime is timezone-aware UTC; an aware non-UTC value is converted, a naive one is
refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

import msgspec
from msgspec.structs import force_setattr

from leadsync.emails import normalize_email
from leadsync.exceptions import ModelError

__all__ = [
    "Activity",
    "ActivityKind",
    "Cursor",
    "JobLevel",
    "Owner",
    "OwnerKind",
    "Person",
    "RecordRef",
    "SetBy",
    "Stage",
    "Temperature",
    "epoch_of",
    "parse_kind",
]

_NO_ITEMS: Final[MappingProxyType[Any, Any]] = MappingProxyType({})


class Stage(StrEnum):
    """Canonical funnel stages; labels and per-CRM values are configured, these ids are not."""

    LEAD = "lead"
    MQL = "mql"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    NURTURE = "nurture"
    DISQUALIFIED = "disqualified"


class Temperature(StrEnum):
    """How close a person is to buying: cold, warm or hot."""

    COLD = "cold"
    WARM = "warm"
    HOT = "hot"


class SetBy(StrEnum):
    """Who set a person's current stage: a human in a CRM, or leadsync."""

    HUMAN = "human"
    LEADSYNC = "leadsync"


class JobLevel(StrEnum):
    """Seniority levels that titles are mapped to for fit scoring."""

    CEO = "ceo"
    EXECUTIVE = "executive"
    DIRECTOR = "director"
    MANAGER = "manager"
    INDIVIDUAL = "individual"
    STUDENT = "student"


class ActivityKind(StrEnum):
    """The controlled vocabulary of engagement signals every CRM's activities map to."""

    PAGE_VIEW = "page_view"
    PRODUCT_PAGE_VIEW = "product_page_view"
    PRICING_PAGE_VIEW = "pricing_page_view"
    WHITEPAPER_DOWNLOAD = "whitepaper_download"
    NEWSLETTER_SIGNUP = "newsletter_signup"
    WEBINAR_REGISTERED = "webinar_registered"
    WEBINAR_ATTENDED = "webinar_attended"
    EMAIL_OPEN = "email_open"
    EMAIL_CLICK = "email_click"
    FORM_SUBMIT = "form_submit"
    EVENT_REGISTRATION = "event_registration"
    SOCIAL_ENGAGEMENT = "social_engagement"
    CASE_STUDY_DOWNLOAD = "case_study_download"
    PRICE_LIST_DOWNLOAD = "price_list_download"
    CONTACT_REQUEST = "contact_request"
    DOCUMENTATION_REQUEST = "documentation_request"
    DEMO_REQUEST = "demo_request"
    QUOTE_REQUEST = "quote_request"
    MEETING_BOOKED = "meeting_booked"
    MEETING_HELD = "meeting_held"
    CALL = "call"
    UNSUBSCRIBE = "unsubscribe"
    HARD_BOUNCE = "hard_bounce"


_KINDS: Final = {kind.value: kind for kind in ActivityKind}


def parse_kind(raw: str) -> ActivityKind:
    """The activity kind named `raw`, or a ModelError listing every valid kind."""
    kind = _KINDS.get(raw)
    if kind is None:
        shown = repr(raw if len(raw) <= 40 else raw[:37] + "...")  # noqa: PLR2004 - an excerpt
        raise ModelError(f"unknown activity kind {shown}; valid kinds: {', '.join(_KINDS)}")
    return kind


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_of(at: datetime) -> float:
    """An aware datetime in seconds since 1970 UTC, exactly as `Activity.epoch` holds it."""
    return (at - _EPOCH).total_seconds()


def _utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is UTC:
        return value
    if value.utcoffset() is None:
        raise ModelError(
            f"{what} must be timezone-aware (UTC), got the naive {value.isoformat()}; "
            "attach the CRM's zone where it is parsed"
        )
    return value.astimezone(UTC)


def _others(ref: RecordRef, refs: tuple[RecordRef, ...]) -> tuple[RecordRef, ...]:
    """`refs` once each, in order, without `ref` itself."""
    for other in refs:
        if not isinstance(other, RecordRef):
            raise ModelError(f"Person.same_as holds RecordRefs, got {other!r}")
    return tuple(other for other in dict.fromkeys(refs) if other != ref)


def _frozen(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return values if isinstance(values, MappingProxyType) else MappingProxyType(dict(values))


class RecordRef(msgspec.Struct, frozen=True, order=True):
    """Where a record lives: CRM name (as configured), object type and the CRM's record id."""

    crm: str
    object_type: str
    record_id: str

    def __post_init__(self) -> None:
        if not (self.crm and self.object_type and self.record_id):
            raise ModelError(f"RecordRef needs crm, object_type and record_id, got {self!r}")

    def __str__(self) -> str:
        return f"{self.crm}:{self.object_type}/{self.record_id}"


class Cursor(msgspec.Struct, frozen=True, order=True):
    """Resume point: the next read returns records strictly after (stamp, record_id)."""

    stamp: datetime
    record_id: str = ""

    def __post_init__(self) -> None:
        force_setattr(self, "stamp", _utc(self.stamp, "Cursor.stamp"))

    def __str__(self) -> str:
        return f"{self.stamp.isoformat()}#{self.record_id}" if self.record_id else self.stamp.isoformat()


class Person(msgspec.Struct, frozen=True):
    """One CRM record of a person (lead or contact) in common-model terms."""

    ref: RecordRef
    email: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    job_level: JobLevel | None = None
    company: str = ""
    employees: int | None = None
    industry: str = ""
    country: str = ""
    source: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    stage: Stage | None = None
    stage_set_by: SetBy | None = None
    owner_email: str | None = None
    qualification: Mapping[str, bool] = _NO_ITEMS
    attributes: Mapping[str, object] = _NO_ITEMS
    email_opt_out: bool | None = None  # opted out of all e-mail here; None: this CRM does not say
    same_as: tuple[RecordRef, ...] = ()
    """Records of this same person (in other CRMs, or this one) whose ids this record holds, as a
    vendor's own sync keeps them (HubSpot's `salesforcecontactid`, Marketo's `sfdcLeadId`): the
    person is linked by them before e-mail. In the order the mapping lists them."""

    def __post_init__(self) -> None:
        force_setattr(self, "email", normalize_email(self.email))
        if self.same_as:
            force_setattr(self, "same_as", _others(self.ref, self.same_as))
        if self.owner_email is not None:
            force_setattr(self, "owner_email", normalize_email(self.owner_email))
        if self.created_at is not None:
            force_setattr(self, "created_at", _utc(self.created_at, "Person.created_at"))
        if self.updated_at is not None:
            force_setattr(self, "updated_at", _utc(self.updated_at, "Person.updated_at"))
        if self.employees is not None and self.employees < 0:
            raise ModelError(f"Person.employees must be >= 0, got {self.employees}")
        if self.stage_set_by is not None and self.stage is None:
            raise ModelError("Person.stage_set_by is given without a stage")
        if self.qualification is not _NO_ITEMS:
            force_setattr(self, "qualification", _frozen(self.qualification))
        if self.attributes is not _NO_ITEMS:
            force_setattr(self, "attributes", _frozen(self.attributes))


class Activity(msgspec.Struct, frozen=True):
    """One engagement signal of a person, from any CRM.

    `epoch` is `occurred_at` in seconds since 1970 UTC, derived when not given: the evaluator
    does its time arithmetic on it, since datetime arithmetic costs about ten times a float's
    in CPython. The state store keeps it, so that activities it loads need no conversion.
    """

    ref: RecordRef
    person: RecordRef
    kind: ActivityKind
    occurred_at: datetime
    detail: str = ""
    epoch: float = math.nan

    def __post_init__(self) -> None:
        force_setattr(self, "kind", parse_kind(self.kind))  # also accepts the plain string
        at = _utc(self.occurred_at, "Activity.occurred_at")
        force_setattr(self, "occurred_at", at)
        if self.epoch != self.epoch:  # NaN, the default: not given
            force_setattr(self, "epoch", epoch_of(at))

    @property
    def crm(self) -> str:
        """The CRM the activity was read from."""
        return self.ref.crm


class OwnerKind(StrEnum):
    """What an owner is in its CRM: only people own records by default (`leadsync.definitions`)."""

    PERSON = "person"
    INTEGRATION = "integration"  # an API or automated-process user, leadsync's own login included
    QUEUE = "queue"


class Owner(msgspec.Struct, frozen=True):
    """A user or queue that can own people in a CRM, matched across CRMs by e-mail."""

    email: str
    name: str = ""
    active: bool = True
    crm_ids: Mapping[str, str] = _NO_ITEMS
    kind: OwnerKind = OwnerKind.PERSON

    def __post_init__(self) -> None:
        force_setattr(self, "email", normalize_email(self.email))
        if self.crm_ids is not _NO_ITEMS:
            force_setattr(self, "crm_ids", _frozen(self.crm_ids))
