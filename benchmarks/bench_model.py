"""Common-model construction rate: our msgspec Structs against a frozen dataclass and pydantic v2."""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from types import MappingProxyType

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

    @field_validator("qualification")
    @classmethod
    def _frozen(cls, value: dict[str, bool]) -> Mapping[str, bool]:
        return MappingProxyType(value)


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
        object.__setattr__(self, "qualification", MappingProxyType(dict(self.qualification)))
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


ROUNDS = 3


def _build_one(build: Callable[[int, str], object], emails: list[str], i: int) -> object:
    return build(i, emails[i])


def run() -> list[Figure]:
    """Build COUNT people with each implementation: rounds interleaved, fresh e-mails, best round."""
    refs = [RecordRef("salesforce", "Lead", f"00Q{i:012d}") for i in range(COUNT)]
    rows = [_fields(i) for i in range(COUNT)]
    builders = {
        "msgspec": lambda i, email: Person(refs[i], email, **rows[i]),  # type: ignore[arg-type]
        "dataclass": lambda i, email: DataclassPerson(refs[i], email, **rows[i]),  # type: ignore[arg-type]
        "pydantic": lambda i, email: PydanticPerson(ref=refs[i], email=email, **rows[i]),
    }
    best = dict.fromkeys(builders, 0.0)
    for round_ in range(ROUNDS):
        for name, build in builders.items():
            emails = [f"Person.{name}.{round_}.{i}@Example.com" for i in range(COUNT)]
            normalize_email.cache_clear()  # every e-mail is new: no cache hit flatters anyone
            gc.collect()
            one = partial(_build_one, build, emails)
            best[name] = max(best[name], rate(one, COUNT, repeat=1))
    activity_rate = rate(lambda i: Activity(refs[i], refs[i], ActivityKind.WEBINAR_ATTENDED, BASE), COUNT)
    chosen = best["msgspec"]
    note = f"{COUNT:,} distinct e-mails, normalised; best of {ROUNDS} interleaved rounds"
    return [
        Figure("model", "Person construction (msgspec Struct, chosen)", f"{chosen:,.0f}/s", note),
        Figure(
            "model",
            "Person construction (frozen slotted dataclass)",
            f"{best['dataclass']:,.0f}/s",
            f"msgspec / dataclass = {chosen / best['dataclass']:.2f}",
        ),
        Figure(
            "model",
            "Person construction (pydantic v2)",
            f"{best['pydantic']:,.0f}/s",
            f"msgspec / pydantic = {chosen / best['pydantic']:.2f}",
        ),
        Figure("model", "Activity construction (msgspec Struct)", f"{activity_rate:,.0f}/s", ""),
    ]
