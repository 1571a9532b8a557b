"""Fuzzing the cycle: random malformed records in both sandboxes, then read → map → evaluate →
plan → write over HTTP with the real clients.

Each example starts two small sandboxes, adds a few people and activities whose fields hold
drawn values, and runs one cycle. Two tiers of values: what each real API can send (Salesforce
typed JSON per the field's describe type — any text, any number, extreme datetimes; HubSpot a
string or null for every property) and hostile JSON no API should send (nested objects and
lists where scalars belong, numbers as text and text as numbers, booleans anywhere). Whatever
is drawn: the cycle succeeds; a record it cannot read is quarantined with a reason naming one
of the fields that were spoiled; every other record — the population around them and the
spoiled records that can be read — is linked and written. Hypothesis runs derandomized with
no example database (see `FUZZ` in test_fuzzing.py), so CI replays the same examples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from adapters.salesforce.sandbox.ids import make_id
from adapters.salesforce.sandbox.objects import OBJECTS
from adapters.salesforce.sandbox.values import datetime_text
from leadsync.clock import ManualClock
from leadsync.model import RecordRef
from leadsync.store import RunStatus, Store
from tests.engine.conftest import NOW, MakePipeline, Pipeline
from tests.reliability.test_fuzzing import FUZZ
from tests.store.conftest import postgres, store_url  # noqa: F401 - fixtures

PEOPLE = 8
SAVED = datetime_text(NOW)  # inside the first cycle's window

# -- values a real API can send ----------------------------------------------------------------

_hostile_text = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\x1b[2J\x07", "\u202eevil\u202c", "\ufeff", "\u0301", "👩‍👩‍👧‍👦",
    "null", "None", "NaN", "-Infinity", "1e999", "0x1F", "१२३", "½", "true", "' OR 1=1 --",
    "<script>x</script>", "\r\n", "$datetime", "70000101",
])  # fmt: skip
_any_text = st.one_of(
    _hostile_text,
    st.text(st.characters(codec="utf-8"), max_size=40),  # no lone surrogate: UTF-8 cannot carry one
    st.sampled_from([100_000, 1_000_000]).map(lambda n: "é" * n),
)
_stamp_text = st.one_of(
    st.datetimes().map(lambda d: f"{d.year:04d}-{d:%m-%dT%H:%M:%S}.000+0000"),  # years 1 to 9999
    st.sampled_from([
        "0001-01-01T00:00:00.000+0000", "9999-12-31T23:59:59.000+0000", "9999-12-31T23:59:59.000-1400",
        "0001-01-01T00:00:00.000+1400", "2026-02-30T00:00:00.000+0000", "2026-11-23T25:00:00Z",
        "2026-11-23", "2026-11-23T12:00:00", "-1", "0", "99999999999999999999", "1700000000000",
        "253402300800000", "-62135596800001",
    ]),
)  # fmt: skip
_numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**31, 2**63, 1e308, -1e-308, 0.5, 12.0]),
)
_hostile = st.recursive(
    st.one_of(st.none(), st.booleans(), _numbers, _any_text, _stamp_text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_any_text, inner, max_size=3)),
    max_leaves=5,
)


def _typed(kind: str) -> st.SearchStrategy[Any]:
    """What Salesforce's JSON may hold for a field of this describe type."""
    if kind in ("int", "double"):
        return st.one_of(st.none(), _numbers)
    if kind == "boolean":
        return st.one_of(st.none(), st.booleans())
    if kind == "datetime":
        return st.one_of(st.none(), _stamp_text)
    return st.one_of(st.none(), _any_text)


def _salesforce_value(sobject: str) -> Callable[[str], st.SearchStrategy[Any]]:
    """A field's values: typed by its describe type (as the sandbox describes it) two times in three."""

    def values(name: str) -> st.SearchStrategy[Any]:
        spec = OBJECTS[sobject].field(name)
        assert spec is not None, name
        return st.one_of(_typed(spec.type), _typed(spec.type), _hostile)

    return values


_hubspot_value = st.one_of(st.none(), _any_text, _stamp_text, _any_text, _hostile)
"""HubSpot sends a string or null for every property; the last branch is hostile JSON."""

# -- the records ---------------------------------------------------------------------------------

LEAD_FIELDS = (
    "Email", "FirstName", "LastName", "Title", "Company", "NumberOfEmployees", "Industry", "CountryCode",
    "LeadSource", "CreatedDate", "Status", "pi__score__c", "pi__grade__c", "LeadSync_BANT_Budget__c",
    "LeadSync_BANT_Need__c",
)  # fmt: skip
TASK_FIELDS = ("WhoId", "Subject", "TaskSubtype", "CreatedDate")
CONTACT_PROPERTIES = (
    "email", "firstname", "lastname", "jobtitle", "company", "industry", "createdate", "numemployees",
    "country", "hs_analytics_source", "lifecyclestage", "hubspotscore", "leadsync_bant_budget",
    "hubspot_owner_id",
)  # fmt: skip
CALL_PROPERTIES = ("hs_timestamp", "hs_call_status", "hs_call_title")


@st.composite
def _spoils(draw: st.DrawFn, fields: tuple[str, ...], value: Any) -> dict[str, Any]:
    """One to four of `fields`, each with a drawn value (`value`: a strategy, or a field → strategy)."""
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique=True))
    return {name: draw(value(name) if callable(value) else value) for name in chosen}


@dataclass
class Population:
    """What one example spoils: fields per record, by CRM."""

    leads: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    calls: list[dict[str, Any]]


_populations = st.builds(
    Population,
    st.lists(_spoils(LEAD_FIELDS, _salesforce_value("Lead")), min_size=1, max_size=4),
    st.lists(_spoils(TASK_FIELDS, _salesforce_value("Task")), max_size=2),
    st.lists(_spoils(CONTACT_PROPERTIES, _hubspot_value), min_size=1, max_size=4),
    st.lists(_spoils(CALL_PROPERTIES, _hubspot_value), max_size=2),
)


# -- one cycle over a spoiled population ---------------------------------------------------------


@dataclass
class Spoiled:
    """Refs of the records a population spoiled, with the fields spoiled in each."""

    people: dict[RecordRef, tuple[str, ...]] = field(default_factory=dict)
    activities: dict[RecordRef, tuple[str, ...]] = field(default_factory=dict)


def _add_task(salesforce: SalesforceSandbox, number: int, who: str, fields: dict[str, Any]) -> str:
    """A 'Demo request' Task on `who` saved at the seed instant, with `fields` over it; its id."""
    store, record_id = salesforce.store, make_id("Task", number)
    user = store.integration_user_id
    store.tables["Task"].add({
        "Id": record_id, "IsDeleted": False, "WhoId": who, "Subject": "Demo request", "TaskSubtype": "Task",
        "OwnerId": user, "CreatedDate": SAVED, "CreatedById": user, "LastModifiedDate": SAVED,
        "LastModifiedById": user, "SystemModstamp": SAVED, **fields,
    })  # fmt: skip
    return record_id


def _spoil(pipeline: Pipeline, population: Population) -> Spoiled:
    spoiled = Spoiled()
    store = pipeline.salesforce.store
    leads = store.tables["Lead"]
    base = next(r for r in store.records("Lead") if not r["IsConverted"] and not r["IsDeleted"])
    for i, fields in enumerate(population.leads):
        record_id = make_id("Lead", 8_000_000 + i)
        values = {k: v for k, v in base.items() if k in leads.columns}
        values |= {"Id": record_id, "Email": f"fuzz.lead.{i}@example.com", "SystemModstamp": SAVED}
        leads.add(values | {"LastModifiedDate": SAVED, **fields})
        spoiled.people[RecordRef("salesforce", "Lead", record_id)] = tuple(fields)
    for i, fields in enumerate(population.tasks):
        record_id = _add_task(pipeline.salesforce, 8_000_000 + i, str(base["Id"]), fields)
        spoiled.activities[RecordRef("salesforce", "Task", record_id)] = tuple(fields)
    hubspot = pipeline.hubspot.store
    contact = hubspot.ids()[0]
    for i, fields in enumerate(population.contacts):
        properties = {"email": f"fuzz.contact.{i}@example.com", "firstname": "Fuzz", **fields}
        if not isinstance(properties["email"], str):  # the sandbox indexes e-mails: a contact without one
            del properties["email"]
        record_id = hubspot.add_object("contacts", properties)
        spoiled.people[RecordRef("hubspot", "contacts", record_id)] = tuple(fields)
    for fields in population.calls:
        record_id = hubspot.add_object("calls", {"hs_call_status": "COMPLETED", **fields}, contact_id=contact)
        spoiled.activities[RecordRef("hubspot", "calls", record_id)] = tuple(fields)
    return spoiled


def _pipeline(stack: ExitStack, folder: Path) -> Pipeline:
    """A fresh pair of sandboxes and state store: start-up takes a fraction of the cycle's
    second, and nothing one example spoils can reach the next."""
    clock = ManualClock(NOW)
    salesforce = stack.enter_context(SalesforceSandbox(people=PEOPLE, clock=clock))
    hubspot = stack.enter_context(HubSpotSandbox(people=PEOPLE, clock=clock, rate_limits=False))
    state = f"sqlite:///{mkdtemp(dir=folder)}/state.db"  # examples share the test's tmp_path
    store = stack.enter_context(Store.open(state))
    raw = {
        "sync": {"state_url": state},
        "crm": {
            "salesforce": {"adapter": "salesforce", **salesforce.settings()},
            "hubspot": {"adapter": "hubspot", **hubspot.settings()},
        },
    }
    return Pipeline(salesforce, hubspot, raw, store, clock)


def _people_refs(pipeline: Pipeline) -> Iterator[RecordRef]:
    """Every person record either sandbox holds (open leads, contacts), read off the rows: a
    record's computed fields (its age from a spoiled CreatedDate) are not asked for."""
    for sobject in ("Lead", "Contact"):
        table = pipeline.salesforce.store.tables[sobject]
        for record_id, row in table.rows.items():
            if not table.value(row, "IsConverted") and not table.value(row, "IsDeleted"):
                yield RecordRef("salesforce", sobject, record_id)
    for contact in pipeline.hubspot.store.ids():
        yield RecordRef("hubspot", "contacts", contact)


def _written_score(pipeline: Pipeline, ref: RecordRef) -> object:
    if ref.crm == "salesforce":
        table = pipeline.salesforce.store.tables[ref.object_type]
        return table.value(table.rows[ref.record_id], "LeadSync_Score__c")
    return (pipeline.hubspot.store.contact(ref.record_id) or {}).get("leadsync_score")


def _cycle_over(folder: Path, population: Population) -> dict[RecordRef, str]:
    """Run one cycle over `population` and check the invariants; the quarantine's reasons."""
    with ExitStack() as stack:
        pipeline = _pipeline(stack, folder)
        spoiled = _spoil(pipeline, population)

        report = pipeline.sync()

        assert report.status is RunStatus.SUCCEEDED, report
        for crm, figures in report.crms.items():
            assert figures.failed == 0, (crm, figures.errors)
            assert not figures.errors, (crm, figures.errors)
        entries = {entry.ref: entry for entry in pipeline.store.quarantine.entries()}
        spoiled_fields = {**spoiled.people, **spoiled.activities}
        assert set(entries) <= set(spoiled_fields), "a record nobody spoiled was quarantined"
        for ref, entry in entries.items():
            assert any(repr(name) in entry.reason for name in spoiled_fields[ref]), (entry.reason, ref)
            assert len(entry.reason) <= 1000
            assert len(entry.excerpt) <= 500
        for ref in _people_refs(pipeline):
            if ref in entries:
                assert pipeline.store.links.person_of(ref) is None, ref
                continue
            assert pipeline.store.links.person_of(ref) is not None, ref
            assert _written_score(pipeline, ref) not in (None, ""), ref
        return {ref: entry.reason for ref, entry in entries.items()}


# Crashes the fuzzing found, replayed first on every run.
NESTED_ATTRIBUTE = Population([{"pi__grade__c": {"$datetime": "x"}}], [], [{"firstname": "Ann"}], [])
LIST_OWNER_ID = Population([{"Title": "CEO"}], [], [{"hubspot_owner_id": ["70000101"]}], [])


@settings(FUZZ, max_examples=12)
@example(population=NESTED_ATTRIBUTE)
@example(population=LIST_OWNER_ID)
@given(population=_populations)
def test_a_cycle_over_malformed_records_quarantines_each_with_its_reason_and_writes_the_rest(
    tmp_path: Path, population: Population
) -> None:
    _cycle_over(tmp_path, population)


def test_a_nested_object_in_a_mapped_attribute_is_quarantined_not_stored(tmp_path: Path) -> None:
    """A one-key object such as {"$datetime": "x"} was stored as the store's tagged datetime and
    read back as one: the cycle failed on every later read of that person."""
    reasons = _cycle_over(tmp_path, NESTED_ATTRIBUTE)
    (reason,) = reasons.values()
    assert "Lead field 'pi__grade__c' (attributes.pardot_grade)" in reason
    assert "is not a single value" in reason


def test_a_contact_whose_owner_id_is_not_text_is_quarantined(tmp_path: Path) -> None:
    """A list in hubspot_owner_id was looked up among owner ids: TypeError, the cycle failed."""
    reasons = _cycle_over(tmp_path, LIST_OWNER_ID)
    (reason,) = reasons.values()
    assert "contacts field 'hubspot_owner_id' (owner): ['70000101'] is not an owner id" in reason


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_a_nul_in_an_activity_subject_is_stored_on_postgresql_without_it(
    make_pipeline: MakePipeline,
    store_url: str,  # noqa: F811 - the fixture imported above
) -> None:
    """PostgreSQL's text columns refuse NUL: a Task subject holding one failed the whole cycle."""
    pipeline = make_pipeline(people=6, url=store_url)
    store = pipeline.salesforce.store
    lead = next(r for r in store.records("Lead") if not r["IsConverted"] and not r["IsDeleted"])
    _add_task(pipeline.salesforce, 8_000_000, str(lead["Id"]), {"Subject": "Demo\x00 request"})

    report = pipeline.sync()

    assert report.status is RunStatus.SUCCEEDED
    explained = pipeline.engine().explain(str(lead["Email"]))
    assert explained is not None
    assert "Demo request" in {a["detail"] for a in explained["activities"]}
