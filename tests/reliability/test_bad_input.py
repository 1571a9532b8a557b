"""Every kind of bad input, end to end: one real cycle over both sandboxes, the real clients.

Records are spoiled in the sandboxes the way people and imports spoil them (a human's edit in
Salesforce skips validation; HubSpot imports skip it too), then one cycle runs. Each bad
record is either quarantined with a reason naming its field and the problem, or handled —
read, linked and written like any other — and every other record is written. The last test
spoils the three input files at once: `leadsync check` lists every problem by file and key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from typer.testing import CliRunner

from adapters.hubspot.sandbox import HubSpotSandbox
from adapters.salesforce.sandbox import SalesforceSandbox
from adapters.salesforce.sandbox.ids import make_id
from adapters.salesforce.sandbox.values import datetime_text
from leadsync.cli import app
from leadsync.clock import ManualClock
from leadsync.engine import CycleReport
from leadsync.model import RecordRef
from leadsync.store import RunStatus, Store
from tests.engine.conftest import (
    NOW,
    MakePipeline,
    Pipeline,
)
from tests.store.conftest import postgres, store_url  # noqa: F401 - fixtures

HUMAN = "alice.martin@example.com"
CONNECTOR_IDS = ("salesforcecontactid", "salesforceleadid")
MEGABYTE = 1_000_000
FUTURE = NOW + timedelta(days=400)


@dataclass(frozen=True)
class Quarantined:
    """A record spoiled so that it cannot be read: where, and what its reason must say."""

    ref: RecordRef
    field: str  # as the reason quotes it: "Lead field 'Email'"
    problem: str


@dataclass
class Spoiled:
    """The pipeline after one cycle over the spoiled sandboxes, and what was spoiled where."""

    pipeline: Pipeline
    report: CycleReport
    quarantined: dict[str, Quarantined] = field(default_factory=dict)
    handled: dict[str, list[RecordRef]] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


def _open_leads(salesforce: SalesforceSandbox) -> list[dict[str, Any]]:
    return [r for r in salesforce.store.records("Lead") if not r["IsConverted"] and not r["IsDeleted"]]


def _task(salesforce: SalesforceSandbox, number: int, who: str, created: str) -> None:
    """A 'Demo request' Task (a demo_request activity) on `who`, saved at the seed instant."""
    store = salesforce.store
    user, saved = store.integration_user_id, datetime_text(NOW)
    store.tables["Task"].add({
        "Id": make_id("Task", number), "IsDeleted": False, "WhoId": who, "Subject": "Demo request",
        "TaskSubtype": "Task", "OwnerId": user, "CreatedDate": created, "CreatedById": user,
        "LastModifiedDate": saved, "LastModifiedById": user, "SystemModstamp": saved,
    })  # fmt: skip


def _demo_free_lead(salesforce: SalesforceSandbox, leads: list[dict[str, Any]]) -> str:
    """An open lead no demo was ever requested for, so a future one would be its only one."""
    asked = {t["WhoId"] for t in salesforce.store.records("Task") if t["Subject"] == "Demo request"}
    return next(str(lead["Id"]) for lead in leads if lead["Id"] not in asked)


def _spoil_salesforce(box: SalesforceSandbox, spoiled: Spoiled) -> None:
    leads = _open_leads(box)
    ids = [str(lead["Id"]) for lead in leads]

    def edit(i: int, **fields: object) -> RecordRef:
        box.store.update_as_user("Lead", ids[i], HUMAN, **fields)
        return RecordRef("salesforce", "Lead", ids[i])

    for name, i, fields, where, problem in (
        ("invalid e-mail", 0, {"Email": "jane.doe-at-example.com"}, "Email", "invalid e-mail"),
        ("missing e-mail", 1, {"Email": None}, "Email", "is empty"),
        ("unknown picklist value", 2, {"Status": "Maybe Later"}, "Status", "'Maybe Later' is not a Stage id"),
        ("1 MB e-mail", 3, {"Email": "x" * MEGABYTE + "@example.com"}, "Email", "longer than RFC 5321"),
        ("control character in e-mail", 4, {"Email": "ab\x07c@example.com"}, "Email", "control character"),
        ("negative head count", 5, {"NumberOfEmployees": -5}, "NumberOfEmployees", "is negative"),
    ):
        spoiled.quarantined[f"salesforce {name}"] = Quarantined(
            edit(i, **fields), f"Lead field '{where}'", problem
        )
    spoiled.handled["1 MB strings"] = [edit(6, Title="Director " * (MEGABYTE // 9), Company="C" * MEGABYTE)]
    spoiled.handled["control characters"] = [edit(7, FirstName="Jo\x00hn\x1b[31m", Title="CEO\u202e\x07")]
    spoiled.emails["cyrillic"] = "Юлия@почта.рф"
    spoiled.handled["non-Latin scripts"] = [
        edit(8, FirstName="Юлия", LastName="Смирнова", Title="Директор", Email=spoiled.emails["cyrillic"])
    ]
    spoiled.emails["salesforce duplicate"] = str(leads[10]["Email"])
    spoiled.handled["duplicate e-mails in Salesforce"] = [
        edit(9, Email=spoiled.emails["salesforce duplicate"]),
        RecordRef("salesforce", "Lead", ids[10]),
    ]
    spoiled.handled["created in the future"] = [edit(11, CreatedDate=datetime_text(FUTURE))]
    future = _demo_free_lead(box, leads[12:])
    _task(box, 9_000_001, future, datetime_text(FUTURE))
    spoiled.emails["future activity"] = str(box.store.get("Lead", future)["Email"])  # type: ignore[index]
    _task(box, 9_000_002, make_id("Lead", 9_000_000), datetime_text(NOW))  # no such lead (yet)


def _spoil_hubspot(box: HubSpotSandbox, spoiled: Spoiled) -> None:
    store = box.store
    # Contacts the Salesforce connector does not sync: a contact it syncs is linked by the
    # connector's Salesforce id, whatever e-mail it is given.
    ids = [i for i in store.ids() if not any((store.contact(i) or {}).get(key) for key in CONNECTOR_IDS)]

    def imported(name: str, properties: dict[str, str], where: str, problem: str) -> None:
        ref = RecordRef("hubspot", "contacts", store.add_object("contacts", properties))
        spoiled.quarantined[f"hubspot {name}"] = Quarantined(ref, f"contacts field '{where}'", problem)

    imported("invalid e-mail", {"email": "x-at-y", "firstname": "Bad"}, "email", "invalid e-mail")
    imported("unknown picklist value", {"email": "p@q.example", "lifecyclestage": "prospect"},
             "lifecyclestage", "'prospect' is not a Stage id")  # fmt: skip
    store.update_as_user(ids[0], email="")
    spoiled.quarantined["hubspot missing e-mail"] = Quarantined(
        RecordRef("hubspot", "contacts", ids[0]), "contacts field 'email'", "is empty"
    )

    def edit(i: int, **properties: object) -> RecordRef:
        store.update_as_user(ids[i], **properties)
        return RecordRef("hubspot", "contacts", ids[i])

    spoiled.handled["1 MB strings"].append(edit(1, jobtitle="y" * MEGABYTE))
    spoiled.handled["control characters"].append(edit(2, firstname="A\x00B", jobtitle="\x1b[2J"))
    spoiled.emails["cjk"] = "wei@例え.jp"
    spoiled.handled["non-Latin scripts"] += [
        edit(3, firstname="陈", lastname="伟", email=spoiled.emails["cjk"]),
        edit(4, firstname="Юлия", email="ЮЛИЯ@xn--80a1acny.xn--p1ai"),  # the Salesforce lead, in ASCII form
    ]
    spoiled.emails["hubspot duplicate"] = str(store.contact(ids[6])["email"])  # type: ignore[index]
    spoiled.handled["duplicate e-mails in HubSpot"] = [
        edit(5, email=spoiled.emails["hubspot duplicate"].upper()),
        RecordRef("hubspot", "contacts", ids[6]),
    ]


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Spoiled]:
    """40 people in each sandbox, a score of them spoiled, and the first cycle run over them."""
    state = tmp_path_factory.mktemp("bad-input") / "state.db"
    with ExitStack() as stack:
        clock = ManualClock(NOW)
        salesforce = stack.enter_context(SalesforceSandbox(people=40, clock=clock))
        hubspot = stack.enter_context(HubSpotSandbox(people=40, clock=clock, rate_limits=False))
        store = stack.enter_context(Store.open(f"sqlite:///{state}"))
        raw = {
            "sync": {"state_url": f"sqlite:///{state}"},
            "crm": {
                "salesforce": {"adapter": "salesforce", **salesforce.settings()},
                "hubspot": {"adapter": "hubspot", **hubspot.settings()},
            },
        }
        pipeline = Pipeline(salesforce, hubspot, raw, store, clock)
        result = Spoiled(pipeline, CycleReport(""))
        _spoil_salesforce(salesforce, result)
        _spoil_hubspot(hubspot, result)
        result.report = pipeline.sync()
        yield result


def _written(pipeline: Pipeline, ref: RecordRef) -> object:
    """The score leadsync wrote to a record, as the sandbox holds it."""
    if ref.crm == "salesforce":
        return pipeline.salesforce.store.get(ref.object_type, ref.record_id)["LeadSync_Score__c"]  # type: ignore[index]
    return (pipeline.hubspot.store.contact(ref.record_id) or {}).get("leadsync_score")


UNREADABLE = ("invalid e-mail", "missing e-mail", "unknown picklist value")
QUARANTINED = [
    *(f"salesforce {name}" for name in (*UNREADABLE, "1 MB e-mail", "control character in e-mail")),
    "salesforce negative head count",
    *(f"hubspot {name}" for name in UNREADABLE),
]


@pytest.mark.parametrize("case", QUARANTINED)
def test_a_record_that_cannot_be_read_is_quarantined_naming_its_field_and_problem(
    spoiled: Spoiled, case: str
) -> None:
    expected = spoiled.quarantined[case]
    entry = spoiled.pipeline.store.quarantine.get(expected.ref)
    assert entry is not None, case
    assert expected.field in entry.reason
    assert expected.problem in entry.reason
    assert len(entry.reason) <= 1000  # a 1 MB value is cut, not stored
    assert len(entry.excerpt) <= 500
    assert spoiled.pipeline.store.links.person_of(expected.ref) is None
    assert _written(spoiled.pipeline, expected.ref) in (None, "")


def test_only_the_unreadable_records_are_quarantined_and_every_other_one_is_written(spoiled: Spoiled) -> None:
    report = spoiled.report
    assert report.status is RunStatus.SUCCEEDED
    entries = spoiled.pipeline.store.quarantine.entries()
    assert {e.ref for e in entries} == {q.ref for q in spoiled.quarantined.values()}
    for crm, figures in report.crms.items():
        assert figures.failed == 0, (crm, figures.errors)
        assert figures.writes == figures.planned == figures.read > 0, crm


@pytest.mark.parametrize(
    "case",
    ["1 MB strings", "control characters", "non-Latin scripts", "duplicate e-mails in Salesforce",
     "duplicate e-mails in HubSpot", "created in the future"],
)  # fmt: skip
def test_odd_but_valid_records_are_read_linked_and_written(spoiled: Spoiled, case: str) -> None:
    for ref in spoiled.handled[case]:
        assert spoiled.pipeline.store.quarantine.get(ref) is None, ref
        assert spoiled.pipeline.store.links.person_of(ref) is not None, ref
        assert _written(spoiled.pipeline, ref) not in (None, ""), ref


def test_names_in_any_script_are_kept_and_an_idn_address_links_across_crms(spoiled: Spoiled) -> None:
    engine = spoiled.pipeline.engine()
    cyrillic = engine.explain(spoiled.emails["cyrillic"])
    assert cyrillic is not None
    # The Unicode and the ASCII forms are one key: the lead and the contact are one person, found by
    # either form, whichever CRM was stored first (its key e-mail may be a record's older one).
    by_ascii = engine.explain("ЮЛИЯ@xn--80a1acny.xn--p1ai")
    assert by_ascii is not None
    assert by_ascii["records"] == cyrillic["records"]
    assert {r["crm"] for r in cyrillic["records"]} == {"salesforce", "hubspot"}
    assert "Юлия Смирнова" in {r["name"] for r in cyrillic["records"]}
    assert "Директор" in {r["title"] for r in cyrillic["records"]}
    cjk = engine.explain(spoiled.emails["cjk"])
    assert cjk is not None
    assert cjk["email"] == "wei@xn--r8jz45g.jp"
    assert [r["name"] for r in cjk["records"]] == ["陈 伟"]


@pytest.mark.parametrize("crm", ["Salesforce", "HubSpot"])
def test_two_records_sharing_an_email_in_one_crm_are_one_person_written_alike(
    spoiled: Spoiled, crm: str
) -> None:
    first, second = spoiled.handled[f"duplicate e-mails in {crm}"]
    links = spoiled.pipeline.store.links
    assert links.person_of(first) == links.person_of(second) is not None
    assert _written(spoiled.pipeline, first) == _written(spoiled.pipeline, second)


def test_an_activity_dated_in_the_future_is_kept_but_not_counted(spoiled: Spoiled) -> None:
    explained = spoiled.pipeline.engine().explain(spoiled.emails["future activity"])
    assert explained is not None
    demos = [a for a in explained["activities"] if a["kind"] == "demo_request"]
    assert [a["occurred_at"] for a in demos] == [FUTURE.isoformat()]
    assert not [r for r in explained["reasons"] if "demo_request" in r["rule"]]


def test_an_activity_of_an_unknown_person_waits_for_their_record(spoiled: Spoiled) -> None:
    pipeline = spoiled.pipeline
    who = make_id("Lead", 9_000_000)
    assert pipeline.store.quarantine.get(RecordRef("salesforce", "Task", make_id("Task", 9_000_002))) is None
    assert pipeline.store.links.person_of(RecordRef("salesforce", "Lead", who)) is None
    lead = {
        k: v
        for k, v in _open_leads(pipeline.salesforce)[-1].items()  # past the spoiled ones
        if k in pipeline.salesforce.store.tables["Lead"].columns
    }
    stamp = datetime_text(pipeline.clock.now() + timedelta(seconds=30))  # inside the next cycle's window
    pipeline.salesforce.store.tables["Lead"].add(
        {
            **lead,
            "Id": who,
            "Email": "late.arrival@example.com",
            "SystemModstamp": stamp,
            "LastModifiedDate": stamp,
        }
    )
    assert pipeline.sync().status is RunStatus.SUCCEEDED
    explained = pipeline.engine().explain("late.arrival@example.com")
    assert explained is not None
    assert [a["occurred_at"] for a in explained["activities"]] == [NOW.isoformat()]
    assert [r["rule"] for r in explained["reasons"] if "demo_request" in r["rule"]] == [
        "engagement.demo_request"
    ]


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_nul_and_escape_characters_are_stored_on_postgresql_too(
    make_pipeline: MakePipeline,
    store_url: str,  # noqa: F811 - the fixture imported above
) -> None:
    """PostgreSQL refuses NUL in text columns: a NUL in a name or title must not stop the cycle."""
    pipeline = make_pipeline(people=10, url=store_url)
    lead = str(_open_leads(pipeline.salesforce)[0]["Id"])
    pipeline.salesforce.store.update_as_user(
        "Lead", lead, HUMAN, FirstName="Jo\x00hn", Title="\x00CEO\x1b[2J"
    )
    contact = pipeline.hubspot.store.ids()[0]
    pipeline.hubspot.store.update_as_user(contact, firstname="A\x00B", jobtitle="VP\x00 Sales")

    report = pipeline.sync()

    assert report.status is RunStatus.SUCCEEDED
    assert all(figures.failed == figures.quarantined == 0 for figures in report.crms.values())
    for ref in (RecordRef("salesforce", "Lead", lead), RecordRef("hubspot", "contacts", contact)):
        assert pipeline.store.links.person_of(ref) is not None
        assert _written(pipeline, ref) not in (None, "")


@pytest.mark.parametrize(
    "email",
    ["not-an-email", "unknown@example.com", "", "two@@example.com", "a@b", "x" * 5000 + "@example.com"],
)
def test_explain_of_no_one_says_so_in_one_line_and_exits_1(
    spoiled: Spoiled, tmp_path: Path, email: str
) -> None:
    config = tmp_path / "leadsync.toml"
    config.write_text(tomli_w.dumps(spoiled.pipeline.raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["explain", email, "--config", str(config)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an error raised to the user
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert ("invalid e-mail" in line) != ("is in the state store" in line)
    assert len(line) < 300  # a 5,000-character address is cut in the message


# -- input files -------------------------------------------------------------------------------


def test_check_lists_every_problem_of_config_mapping_and_definitions_by_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "defs.toml").write_text(
        (Path(__file__).parents[2] / "mappings" / "definitions.toml")
        .read_text(encoding="utf-8")
        .replace("hot_above = 60", 'hot_above = "sixty"')
        .replace("\n[fit_gate]", "\n[fit_gate]\ncolour = 1"),
        encoding="utf-8",
    )
    (tmp_path / "sf.toml").write_text(
        "[people.Lead.fields]\nemial = 'Email'\n"
        "[write.Lead]\nscore = 7\nstage = { to = 'Status', unmapped = 'x' }\n",
        encoding="utf-8",
    )
    config = tmp_path / "leadsync.toml"
    config.write_text(
        '[definitions]\npath = "defs.toml"\n'
        '[crm.sf]\nadapter = "salesforce"\nmapping = "sf.toml"\nsession_id = "x"\ninstance_url = "https://x.example"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["check", "--config", str(config), "--format", "json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert {(Path(e["file"]).name, e["path"]) for e in errors} == {
        ("defs.toml", "fit_gate.colour"),
        ("defs.toml", "temperature.hot_above"),
        ("sf.toml", "people.Lead.fields.email"),  # required, and `emial` is not it
        ("sf.toml", "people.Lead.fields.emial"),
        ("sf.toml", "write.Lead.score"),
        ("sf.toml", "write.Lead.stage.unmapped"),
    }
    assert all(e["message"] and e["hint"] for e in errors)
