"""Common-model construction rate: our msgspec Structs against a frozen dataclass and pydantic v2,
and the two paths that build them in a sync: a raw CRM record through its mapping
(`leadsync/mapping/people.py`), and a person's file read back from the store (snapshot and
activity rows, as `leadsync/store/persons.py` builds them for every person of every cycle)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec
from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator

from benchmarks.report import Figure, rate
from leadsync.emails import normalize_email
from leadsync.mapping import load_mapping
from leadsync.model import Activity, ActivityKind, Person, RecordRef
from leadsync.store.persons import _person, _snapshot  # the store's own conversions, measured as they are

COUNT = 100_000
BASE = datetime(2026, 11, 1, tzinfo=UTC)
MAPPINGS = Path(__file__).resolve().parent.parent / "mappings"
ACTIVITIES = 10  # per person, as in the evaluator and sync benchmarks


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


def _fields(i: int) -> dict[str, Any]:  # Any: each model checks its own fields
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
        "msgspec": lambda i, email: Person(refs[i], email, **rows[i]),
        "dataclass": lambda i, email: DataclassPerson(refs[i], email, **rows[i]),
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
    return [*_implementations(best, activity_rate), *_sync_paths(refs)]


def _implementations(best: Mapping[str, float], activity_rate: float) -> list[Figure]:
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


def _salesforce_lead(i: int, email: str) -> dict[str, object]:
    """A Lead as the Salesforce adapter reads it (relationship fields nested, stamps as text)."""
    return {
        "Email": email,
        "FirstName": "Jane",
        "LastName": "Doe",
        "Title": "Head of Sales",
        "Company": "Acme",
        "NumberOfEmployees": 300,
        "Industry": "Software",
        "CountryCode": "FR",
        "LeadSource": "LinkedIn",
        "CreatedDate": "2026-11-01T09:30:00.000+0000",
        "SystemModstamp": f"2026-11-02T{i % 24:02d}:{i % 60:02d}:00.000+0000",
        "Owner": {"Email": "Rep@Example.com"},
        "Status": "Working - Contacted",
        "LeadSync_BANT_Budget__c": True,
        "LeadSync_BANT_Need__c": i % 2 == 0,
        "pi__score__c": 87.0,
        "pi__grade__c": "A",
    }


def _hubspot_contact(i: int, email: str) -> dict[str, object]:
    """A contact as the HubSpot adapter reads it (every property a string)."""
    return {
        "email": email,
        "firstname": "Li",
        "lastname": "Wei",
        "jobtitle": "CTO",
        "numemployees": "100-500",
        "lifecyclestage": "marketingqualifiedlead",
        "country": "France",
        "hs_analytics_source": "PAID_SEARCH",
        "createdate": "2026-11-01T09:30:00.000Z",
        "lastmodifieddate": str(1793525400000 + i),
        "leadsync_bant_need": "true",
        "hubspotscore": "42",
    }


def _sync_paths(refs: list[RecordRef]) -> list[Figure]:
    """Raw CRM records through their mapping, and person files read back from the store."""
    salesforce = load_mapping(MAPPINGS / "salesforce.toml").people["Lead"]
    hubspot = load_mapping(MAPPINGS / "hubspot.toml").people["contacts"]
    lead_rows = [_salesforce_lead(i, f"Lead.{i}@Example.com") for i in range(COUNT)]
    contact_rows = [_hubspot_contact(i, f"Contact.{i}@Example.com") for i in range(COUNT)]
    people = [salesforce.to_person(row, refs[i]) for i, row in enumerate(lead_rows)]
    # What the store hands back: the JSON of each snapshot, and one row per activity.
    snapshots = [msgspec.json.decode(msgspec.json.encode(_snapshot(person))) for person in people]
    kinds = list(ActivityKind)
    rows = [
        [
            ("hubspot", "task", f"{i}.{j}", kinds[(i + j) % len(kinds)].value, BASE - timedelta(hours=j))
            for j in range(ACTIVITIES)
        ]
        for i in range(COUNT // 5)
    ]

    def person_file(i: int) -> object:
        ref = refs[i]
        return _person(snapshots[i]), [
            Activity(RecordRef(crm, object_type, record_id), ref, kind, at)  # type: ignore[arg-type]  # text, as read
            for crm, object_type, record_id, kind, at in rows[i]
        ]

    def cold(make: Callable[[int], object], count: int) -> float:
        normalize_email.cache_clear()  # no e-mail is in the cache, as in a first sync, or any
        return rate(make, count, repeat=1)  # cycle over more people than the cache holds

    lead_rate = cold(lambda i: salesforce.to_person(lead_rows[i], refs[i]), COUNT)
    contact_rate = cold(lambda i: hubspot.to_person(contact_rows[i], refs[i]), COUNT)
    snapshot_rate = cold(lambda i: _person(snapshots[i]), COUNT)
    file_rate = cold(person_file, len(rows))
    where = "model construction"
    return [
        Figure(where, "Person from a raw Salesforce Lead (shipped mapping)", f"{lead_rate:,.0f}/s", ""),
        Figure(where, "Person from a raw HubSpot contact (shipped mapping)", f"{contact_rate:,.0f}/s", ""),
        Figure(
            where, "Person from a stored snapshot (store, msgspec.convert)", f"{snapshot_rate:,.0f}/s", ""
        ),
        Figure(
            where,
            f"person file from the store (1 snapshot + {ACTIVITIES} activity rows)",
            f"{file_rate:,.0f} people/s",
            f"{file_rate * (ACTIVITIES + 1):,.0f} objects/s; the evaluator's input, built every cycle",
        ),
    ]
