"""Common-model construction rate: our msgspec Structs against a frozen dataclass and pydantic v2."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator

from benchmarks.report import Figure, rate
from leadsync.emails import normalize_email
from leadsync.model import Activity, ActivityKind, Person, RecordRef

COUNT = 100_000
BASE = datetime(2026, 11, 1, tzinfo=UTC)


class PydanticPerson(BaseModel):
    """The same fields and checks as `leadsync.model.Person`, as a frozen pydantic model."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    ref: RecordRef
    email: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    company: str = ""
    employees: int | None = None
    industry: str = ""
    country: str = ""
    source: str = ""
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    qualification: dict[str, bool] = {}

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


@dataclass(frozen=True, slots=True)
class DataclassPerson:
    """The same fields and checks as `leadsync.model.Person`, as a frozen slotted dataclass."""

    ref: RecordRef
    email: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    company: str = ""
    employees: int | None = None
    industry: str = ""
    country: str = ""
    source: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    qualification: Mapping[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", normalize_email(self.email))
        for stamp in (self.created_at, self.updated_at):
            if stamp is not None and stamp.utcoffset() is None:
                raise ValueError("naive")


def _fields(i: int) -> dict[str, object]:
    return {
        "first_name": "Jane",
        "last_name": "Doe",
        "title": "Head of Sales",
        "company": "Acme",
        "employees": 300,
        "industry": "software",
        "country": "FR",
        "source": "LinkedIn",
        "created_at": BASE,
        "updated_at": BASE + timedelta(seconds=i),
        "qualification": {"budget": True},
    }


def run() -> list[Figure]:
    """Build COUNT people (distinct e-mails, cold cache) and activities with each implementation."""
    refs = [RecordRef("salesforce", "Lead", f"00Q{i:012d}") for i in range(COUNT)]
    rows = [_fields(i) for i in range(COUNT)]

    def emails(tag: str) -> list[str]:
        normalize_email.cache_clear()
        return [f"Person.{tag}.{i}@Example.com" for i in range(COUNT)]

    ms_emails = emails("ms")
    msgspec_rate = rate(lambda i: Person(refs[i], ms_emails[i], **rows[i]), COUNT, repeat=1)  # type: ignore[arg-type]
    dc_emails = emails("dc")
    dataclass_rate = rate(lambda i: DataclassPerson(refs[i], dc_emails[i], **rows[i]), COUNT, repeat=1)  # type: ignore[arg-type]
    pd_emails = emails("pd")
    pydantic_rate = rate(
        lambda i: PydanticPerson(ref=refs[i], email=pd_emails[i], **rows[i]), COUNT, repeat=1
    )
    activity_rate = rate(lambda i: Activity(refs[i], refs[i], ActivityKind.WEBINAR_ATTENDED, BASE), COUNT)
    return [
        Figure(
            "model",
            "Person construction (msgspec Struct, chosen)",
            f"{msgspec_rate:,.0f}/s",
            f"{COUNT:,} distinct e-mails, normalised",
        ),
        Figure(
            "model",
            "Person construction (frozen slotted dataclass)",
            f"{dataclass_rate:,.0f}/s",
            f"msgspec / dataclass = {msgspec_rate / dataclass_rate:.2f}",
        ),
        Figure(
            "model",
            "Person construction (pydantic v2)",
            f"{pydantic_rate:,.0f}/s",
            f"msgspec / pydantic = {msgspec_rate / pydantic_rate:.2f}",
        ),
        Figure("model", "Activity construction (msgspec Struct)", f"{activity_rate:,.0f}/s", ""),
    ]
