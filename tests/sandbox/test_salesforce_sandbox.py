"""The Salesforce sandbox, driven by the real simple-salesforce client over HTTPS."""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from adapters.salesforce.sandbox import SalesforceSandbox
from leadsync.clock import ManualClock
from leadsync.testing.sandbox_server import Fault

from .salesforce_helpers import error_body, error_codes, lead, patch_records, status_codes, where_id

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
Client = Any  # simple_salesforce.Salesforce: its __getattr__ typing (Bulk handlers) defeats checkers
PEOPLE = 10_000


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[SalesforceSandbox, float]]:
    began = time.perf_counter()
    with SalesforceSandbox(people=PEOPLE, seed=7, clock=ManualClock(NOW)) as sandbox:
        yield sandbox, time.perf_counter() - began


@pytest.fixture(scope="module")
def sandbox(started: tuple[SalesforceSandbox, float]) -> SalesforceSandbox:
    return started[0]


@pytest.fixture
def sf(sandbox: SalesforceSandbox) -> Iterator[Client]:
    client = sandbox.client()
    yield client
    client.session.close()


@pytest.fixture(scope="module")
def spare_leads(sandbox: SalesforceSandbox) -> Iterator[str]:
    """Open, unconverted leads no other test touches: each test takes its own."""
    users = {u["Id"]: u for u in sandbox.store.records("User")}
    return iter([
        str(r["Id"]) for r in sandbox.store.records("Lead")
        if not r["IsConverted"] and not r["IsDeleted"] and users.get(str(r["OwnerId"]), {}).get("IsActive")
    ][::7])  # fmt: skip


def take(spare_leads: Iterator[str], count: int) -> list[str]:
    return [next(spare_leads) for _ in range(count)]


def stored(sandbox: SalesforceSandbox, lead_id: str) -> dict[str, Any]:
    record = sandbox.store.get("Lead", lead_id)
    assert record is not None
    return record


def live(sandbox: SalesforceSandbox, sobject: str) -> list[dict[str, Any]]:
    return [r for r in sandbox.store.records(sobject) if not r.get("IsDeleted")]


def test_start_up_time_for_10k_people_is_reported(
    started: tuple[SalesforceSandbox, float], capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox, seconds = started
    with capsys.disabled():
        print(f"\nSalesforce sandbox: {PEOPLE:,} people up and seeded in {seconds:.2f} s")  # noqa: T201
    assert len(sandbox.store.records("Lead")) > 5000


# -- queries and paging -------------------------------------------------------------------------
def test_a_query_pages_by_2000_with_a_path_as_next_records_url(
    sandbox: SalesforceSandbox, sf: Client
) -> None:
    expected = {r["Id"] for r in live(sandbox, "Lead")}
    first = sf.query("SELECT Id FROM Lead")
    assert (first["totalSize"], first["done"], len(first["records"])) == (len(expected), False, 2000)
    assert re.fullmatch(r"/services/data/v59\.0/query/01g\w{15}-2000", first["nextRecordsUrl"])
    before = sandbox.calls.count("GET", "queryMore")
    every = sf.query_all("SELECT Id FROM Lead")["records"]
    assert sorted(r["Id"] for r in every) == sorted(expected)
    assert sandbox.calls.count("GET", "queryMore") - before == math.ceil(len(expected) / 2000) - 1


@pytest.mark.parametrize(
    ("asked", "page"), [("batchSize=200", 200), ("batchSize=50", 200), ("batchSize=5000", 2000)]
)
def test_the_batch_size_header_is_honoured_and_clamped_to_200_2000(sf: Client, asked: str, page: int) -> None:
    result = sf.query("SELECT Id FROM Contact", headers={"Sforce-Query-Options": asked})
    assert len(result["records"]) == min(page, result["totalSize"])
    records = sf.query_all("SELECT Id FROM Contact", headers={"Sforce-Query-Options": asked})["records"]
    assert len({r["Id"] for r in records}) == result["totalSize"]


def test_records_carry_attributes_and_nested_parents(sandbox: SalesforceSandbox, sf: Client) -> None:
    rows = sf.query(
        "SELECT Id, Name, Owner.Email, Owner.Type, ConvertedContact.Email FROM Lead "
        "WHERE IsConverted = false ORDER BY Id LIMIT 300"
    )["records"]
    emails = {u["Id"]: u["Email"] for u in sandbox.store.records("User") + sandbox.store.records("Group")}
    for row in rows:
        record = stored(sandbox, row["Id"])
        assert row["attributes"] == {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{row['Id']}"}
        assert row["Owner"]["attributes"]["type"] == "Name"
        assert row["Owner"]["Email"] == emails[str(record["OwnerId"])]
        assert row["ConvertedContact"] is None
    assert {row["Owner"]["Type"] for row in rows} == {"User", "Queue"}


def test_resume_inside_one_stamp_reads_each_record_once(sandbox: SalesforceSandbox, sf: Client) -> None:
    stamps = Counter(str(r["SystemModstamp"]) for r in live(sandbox, "Lead"))
    bulk, sharing = stamps.most_common(1)[0]
    assert sharing > 600  # the seed's bulk edit: many leads share one SystemModstamp
    expected = sorted(r["Id"] for r in live(sandbox, "Lead") if str(r["SystemModstamp"]) >= bulk)
    where = f"SystemModstamp >= {bulk}"
    seen: list[str] = []
    while True:
        page = sf.query(
            f"SELECT Id, SystemModstamp FROM Lead WHERE {where} ORDER BY SystemModstamp, Id LIMIT 200"  # noqa: S608
        )
        seen += [r["Id"] for r in page["records"]]
        if len(page["records"]) < 200:
            break
        stamp, last = page["records"][-1]["SystemModstamp"], page["records"][-1]["Id"]
        where = f"(SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id > '{last}'))"
    assert sorted(seen) == expected
    assert len(seen) == len(set(seen))


def test_order_by_several_fields_with_in_and_limit(sandbox: SalesforceSandbox, sf: Client) -> None:
    rows = sf.query(
        "SELECT Id, LastName, Rating FROM Lead WHERE Rating IN ('Hot', 'Warm') AND IsDeleted = false "
        "ORDER BY Rating DESC, LastName ASC NULLS LAST, Id LIMIT 250"
    )["records"]
    hits = [r for r in live(sandbox, "Lead") if r["Rating"] in ("Hot", "Warm")]
    hits.sort(key=lambda r: r["Id"])
    hits.sort(key=lambda r: (r["LastName"] is None, str(r["LastName"] or "").upper()))
    hits.sort(key=lambda r: str(r["Rating"]), reverse=True)
    assert [r["Id"] for r in rows] == [r["Id"] for r in hits[:250]]


def test_text_compares_case_insensitively_and_nulls_as_soql_does(
    sandbox: SalesforceSandbox, sf: Client
) -> None:
    someone = next(r for r in live(sandbox, "Lead") if r["Email"] and "@" in str(r["Email"]))
    found = sf.query(where_id("Id", "Lead", "Email", str(someone["Email"]).upper()))["records"]
    assert someone["Id"] in [r["Id"] for r in found]
    leads = live(sandbox, "Lead")
    assert sf.query("SELECT Id FROM Lead WHERE Rating = null")["totalSize"] == sum(
        r["Rating"] is None for r in leads
    )
    not_hot = sf.query("SELECT Id FROM Lead WHERE Rating != 'hot'")["totalSize"]
    assert not_hot == sum(r["Rating"] != "Hot" for r in leads)  # null ratings included
    like = sf.query("SELECT Id FROM Lead WHERE Company LIKE 'h%' AND NOT Industry IN ('Software')")[
        "totalSize"
    ]
    assert like == sum(
        str(r["Company"]).lower().startswith("h") and r["Industry"] != "Software" for r in leads
    )


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT Id, Foo__c FROM Lead", "INVALID_FIELD"),
        ("SELECT Id, Owner.Nope FROM Lead", "INVALID_FIELD"),
        ("SELECT Id, Rating FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Leed", "INVALID_TYPE"),
        ("SELECT COUNT() FROM Lead", "MALFORMED_QUERY"),
        ("SELECT Status, Id FROM Lead GROUP BY Status", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE CreatedDate = TODAY", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Lead WHERE SystemModstamp > '2026-11-01T00:00:00Z'",
            "INVALID_QUERY_FILTER_OPERATOR",
        ),
        ("SELECT Id FROM Lead WHERE Id > 'not-an-id'", "INVALID_QUERY_FILTER_OPERATOR"),
        (
            "SELECT Id FROM Lead WHERE Rating = 'Hot' AND IsConverted = false OR Rating = 'Warm'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY"),
        ("SELECT Id, Id FROM Lead", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE SystemModstamp > 2026-13-01T00:00:00Z", "MALFORMED_QUERY"),
    ],
)
def test_queries_outside_the_subset_or_invalid_are_refused(sf: Client, query: str, code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query(query)
    assert error_codes(caught.value) == [code]
    assert "ERROR at Row:1:Column:" in error_body(caught.value)[0]["message"]


def test_query_all_returns_deleted_records_and_query_does_not(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    (gone,) = take(spare_leads, 1)
    sandbox.store.delete("Lead", gone)
    assert sf.query(where_id("Id", "Lead", "Id", gone))["totalSize"] == 0
    [row] = sf.query_all(where_id("Id, IsDeleted", "Lead", "Id", gone), include_deleted=True)["records"]
    assert row["IsDeleted"] is True
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf.Lead.get(gone)
    assert error_codes(caught.value) == ["ENTITY_IS_DELETED"]


# -- describe and single records ----------------------------------------------------------------
def test_describe_gives_types_updateability_and_restricted_picklists(sf: Client) -> None:
    lead_describe = sf.Lead.describe()
    assert {k: lead_describe[k] for k in ("name", "label", "custom", "updateable", "queryable")} == {
        "name": "Lead", "label": "Lead", "custom": False, "updateable": True, "queryable": True,
    }  # fmt: skip
    fields = {f["name"]: f for f in lead_describe["fields"]}
    types = {name: fields[name]["type"] for name in (
        "Id", "Email", "Status", "LeadSync_Score__c", "NumberOfEmployees", "LeadSync_BANT_Need__c",
        "LeadSync_Stage_Date__c", "ConvertedDate", "OwnerId", "LeadSync_Reasons__c", "Title",
    )}  # fmt: skip
    assert types == {
        "Id": "id", "Email": "email", "Status": "picklist", "LeadSync_Score__c": "double",
        "NumberOfEmployees": "int", "LeadSync_BANT_Need__c": "boolean", "LeadSync_Stage_Date__c": "datetime",
        "ConvertedDate": "date", "OwnerId": "reference", "LeadSync_Reasons__c": "textarea", "Title": "string",
    }  # fmt: skip
    age = fields["LeadSync_Age_Days__c"]
    assert (age["calculated"], age["updateable"], age["custom"]) == (True, False, True)
    assert fields["Status"]["restrictedPicklist"]
    assert not fields["Industry"]["restrictedPicklist"]
    assert "Qualified" in [v["value"] for v in fields["Status"]["picklistValues"]]
    assert (fields["OwnerId"]["referenceTo"], fields["OwnerId"]["relationshipName"]) == (
        ["Group", "User"],
        "Owner",
    )
    contact = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    stages = [v["value"] for v in contact["LeadSync_Stage__c"]["picklistValues"]]
    assert stages == ["Lead", "MQL", "SQL", "Opportunity", "Customer", "Nurture", "Disqualified"]
    assert "Rating" not in contact
    assert contact["LeadSync_Temperature__c"]["restrictedPicklist"]


def test_single_record_get_and_update(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    (lead_id,) = take(spare_leads, 1)
    before = sf.Lead.get(lead_id)
    assert sf.Lead.update(lead_id, {"Rating": "Warm", "LeadSync_Score__c": 61.5}) == 204
    after = sf.Lead.get(lead_id)
    assert (after["Rating"], after["LeadSync_Score__c"]) == ("Warm", 61.5)
    assert after["SystemModstamp"] > before["SystemModstamp"]
    assert after["LastModifiedById"] == sandbox.store.integration_user_id
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(lead_id, {"Rating": "Lukewarm"})
    assert error_body(caught.value) == [{
        "message": "Rating: bad value for restricted picklist field: Lukewarm",
        "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "fields": ["Rating"],
    }]  # fmt: skip
    with pytest.raises(SalesforceResourceNotFound) as missing:
        sf.Lead.get(lead_id[:5] + "zzzzzzzzzz")
    assert error_codes(missing.value) == ["NOT_FOUND"]


# -- sObject Collections ------------------------------------------------------------------------
def test_collections_write_the_valid_records_and_report_the_others(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    ok1, bad_picklist, rejected, deleted, ok2 = take(spare_leads, 5)
    sandbox.store.reject_on_save(rejected, message="Score needs a reason")
    sandbox.store.delete("Lead", deleted)
    results = patch_records(sf, [
        lead(ok1, LeadSync_Score__c=80.0), lead(bad_picklist, Status="Hot Prospect"),
        lead(rejected, LeadSync_Score__c=10.0), lead(deleted, LeadSync_Score__c=10.0),
        lead(ok2, LeadSync_Score__c=81.0, LeadSync_Reasons__c="pricing page x3"),
    ])  # fmt: skip
    assert [r["success"] for r in results] == [True, False, False, False, True]
    assert [r.get("id") for r in results] == [ok1, None, None, None, ok2]
    assert [status_codes(r) for r in results[1:4]] == [
        ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"],
        ["FIELD_CUSTOM_VALIDATION_EXCEPTION"],
        ["ENTITY_IS_DELETED"],
    ]
    assert results[2]["errors"][0]["message"] == "Score needs a reason"
    written = [sandbox.store.get("Lead", i) for i in (ok1, ok2)]
    assert [w["LeadSync_Score__c"] for w in written if w] == [80.0, 81.0]
    assert len({w["SystemModstamp"] for w in written if w}) == 1  # one call, one stamp
    assert {w["LastModifiedById"] for w in written if w} == {sandbox.store.integration_user_id}
    assert stored(sandbox, rejected)["LeadSync_Score__c"] is None


def test_all_or_none_writes_nothing_and_rolls_back_the_valid_ones(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    good, bad = take(spare_leads, 2)
    results = patch_records(
        sf, [lead(good, LeadSync_Score__c=5.0), lead(bad, Rating="Boiling")], all_or_none=True
    )
    assert [status_codes(r) for r in results] == [
        ["ALL_OR_NONE_OPERATION_ROLLED_BACK"],
        ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"],
    ]
    assert stored(sandbox, good)["LeadSync_Score__c"] is None


def test_more_than_200_records_are_refused_whole(sandbox: SalesforceSandbox, sf: Client) -> None:
    ids = [r["Id"] for r in live(sandbox, "Lead")[:201]]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        patch_records(sf, [lead(i, LeadSync_Score__c=1.0) for i in ids])
    assert error_codes(caught.value) == ["EXCEEDED_ID_LIMIT"]
    assert all(stored(sandbox, i)["LeadSync_Score__c"] != 1.0 for i in ids)


def test_more_than_10_chunks_of_object_types_are_refused_whole_and_10_pass(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    leads, contacts = take(spare_leads, 6), live(sandbox, "Contact")[-6:]  # a converted Lead is read-only

    def alternating(pairs: int) -> list[dict[str, Any]]:
        return [
            record
            for index in range(pairs)
            for record in (
                lead(leads[index], LeadSync_Score__c=3.0),
                {"attributes": {"type": "Contact"}, "id": contacts[index]["Id"], "LeadSync_Score__c": 3.0},
            )
        ]

    with pytest.raises(SalesforceMalformedRequest) as caught:
        patch_records(sf, alternating(6))  # 12 chunks: Lead, Contact, Lead, …
    assert error_codes(caught.value) == ["INVALID_BATCH_REQUEST"]
    assert all(stored(sandbox, i)["LeadSync_Score__c"] != 3.0 for i in leads)
    assert all(result["success"] for result in patch_records(sf, alternating(5)))  # 10 chunks


def test_per_record_checks_use_salesforce_codes(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    a, b, c, d = take(spare_leads, 4)
    users = sandbox.store.records("User")
    inactive = next(u["Id"] for u in users if not u["IsActive"])
    converted = next(r["Id"] for r in live(sandbox, "Lead") if r["IsConverted"])
    queue = sandbox.store.records("Group")[0]["Id"]
    contact = live(sandbox, "Contact")[0]["Id"]
    sandbox.store.lock_records(d)
    try:
        results = patch_records(sf, [
            lead(a, LeadSync_Age_Days__c=3.0), lead(b, OwnerId=inactive), lead("00Qnot-an-id"),
            lead(converted, Rating="Hot"), lead(c, OwnerId=queue), lead(d, Rating="Hot"),
            {"attributes": {"type": "Contact"}, "id": contact, "OwnerId": queue},
            lead(a[:-3] + "zzz"), {"attributes": {"type": "Lead"}, "Rating": "Hot"},
        ])  # fmt: skip
    finally:
        sandbox.store.unlock_records(d)
    assert [status_codes(r) for r in results] == [
        ["INVALID_FIELD_FOR_INSERT_UPDATE"], ["INACTIVE_OWNER_OR_USER"], ["MALFORMED_ID"],
        ["CANNOT_UPDATE_CONVERTED_LEAD"], [], ["UNABLE_TO_LOCK_ROW"], ["FIELD_INTEGRITY_EXCEPTION"],
        ["MALFORMED_ID"], ["MISSING_ARGUMENT"],
    ]  # fmt: skip
    assert stored(sandbox, c)["OwnerId"] == queue


def test_an_unknown_field_fails_its_record_and_a_wrong_json_type_the_whole_call(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    a, b = take(spare_leads, 2)
    results = patch_records(sf, [lead(a, Rating="Hot"), lead(b, Nope__c=1)])
    assert [status_codes(r) for r in results] == [[], ["INVALID_FIELD"]]  # as recorded from a real org
    assert stored(sandbox, a)["Rating"] == "Hot"
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Lead.update(b, {"Nope__c": 1})  # one record, by its own resource: the whole call
    assert error_codes(unknown.value) == ["INVALID_FIELD"]
    with pytest.raises(SalesforceMalformedRequest) as wrong_type:
        patch_records(sf, [lead(a, LeadSync_Score__c="high")])
    assert error_codes(wrong_type.value) == ["JSON_PARSER_ERROR"]


# -- stamps, people, seeded data ----------------------------------------------------------------
def test_stamps_are_whole_seconds_as_a_real_org_returns_them(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    (lead_id,) = take(spare_leads, 1)
    sandbox.clock.advance(1.789)  # saved at a fraction of a second
    patch_records(sf, [lead(lead_id, LeadSync_Score__c=7.0)])
    query = where_id("SystemModstamp, LastModifiedDate", "Lead", "Id", lead_id)
    saved = sf.query(query)["records"][0]
    expected = (sandbox.clock.now().replace(microsecond=0)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert saved["SystemModstamp"] == saved["LastModifiedDate"] == expected
    assert all(str(r["SystemModstamp"]).endswith(".000+0000") for r in sandbox.store.records("Lead"))


def test_writes_bump_stamps_and_a_human_edit_shows_in_the_next_query(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    (lead_id,) = take(spare_leads, 1)
    query = where_id("Rating, SystemModstamp, LastModifiedBy.Email", "Lead", "Id", lead_id)
    before = sf.query(query)["records"][0]
    sandbox.clock.advance(1)
    patch_records(sf, [lead(lead_id, LeadSync_Score__c=42.0)])
    ours = sf.query(query)["records"][0]
    assert ours["SystemModstamp"] > before["SystemModstamp"]
    assert ours["LastModifiedBy"]["Email"] == "leadsync.integration@sales.example.com"
    human = next(
        u for u in sandbox.store.records("User") if u["IsActive"] and "integration" not in str(u["Email"])
    )
    sandbox.clock.advance(1)
    sandbox.store.update_as_user("Lead", lead_id, str(human["Email"]), Rating="Cold")
    theirs = sf.query(query)["records"][0]
    assert (theirs["Rating"], theirs["LastModifiedBy"]["Email"]) == ("Cold", human["Email"])
    assert theirs["SystemModstamp"] > ours["SystemModstamp"]


def test_converted_leads_point_at_their_contacts(sandbox: SalesforceSandbox, sf: Client) -> None:
    rows = sf.query_all(
        "SELECT Id, Company, Status, ConvertedDate, ConvertedContact.Email, ConvertedContact.Account.Name "
        "FROM Lead WHERE IsConverted = true"
    )["records"]
    assert len(rows) == sum(bool(r["IsConverted"]) for r in live(sandbox, "Lead")) > 100
    for row in rows:
        assert row["Status"] == "Closed - Converted"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["ConvertedDate"])
        assert row["ConvertedContact"]["Account"]["Name"] == row["Company"]
    contact_ids = {r["ConvertedContactId"] for r in sandbox.store.records("Lead") if r["IsConverted"]}
    assert all(str(i).startswith("003") and sandbox.store.get("Contact", str(i)) for i in contact_ids)


def test_activities_link_to_people_and_campaigns(sf: Client) -> None:
    calls = sf.query("SELECT Id, Subject, Who.Type, WhoId FROM Task WHERE TaskSubtype = 'Call' LIMIT 50")[
        "records"
    ]
    assert calls
    assert {c["Subject"] for c in calls} == {"Call"}
    assert {c["Who"]["Type"] for c in calls} <= {"Lead", "Contact"}
    meetings = sf.query("SELECT Subject, StartDateTime FROM Event LIMIT 5")["records"]
    assert {m["Subject"] for m in meetings} <= {"Meeting booked", "Meeting held"}
    webinars = sf.query(
        "SELECT Status, Campaign.Type, LeadOrContactId FROM CampaignMember "
        "WHERE Campaign.Type = 'Webinar' LIMIT 20"
    )["records"]
    assert {w["Campaign"]["Type"] for w in webinars} == {"Webinar"}
    assert {w["Status"] for w in webinars} <= {"Registered", "Attended"}


def test_the_same_seed_gives_the_same_org_and_stamps_in_salesforce_format() -> None:
    first = SalesforceSandbox(people=300, seed=7, clock=ManualClock(NOW)).store.records("Lead")
    assert first == SalesforceSandbox(people=300, seed=7, clock=ManualClock(NOW)).store.records("Lead")
    assert first != SalesforceSandbox(people=300, seed=8, clock=ManualClock(NOW)).store.records("Lead")
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", str(r["SystemModstamp"])) for r in first
    )
    assert all(len(str(r["Id"])) == 18 and str(r["Id"]).startswith("00Q") for r in first)


# -- limits, sessions, the token endpoint -------------------------------------------------------
def test_api_usage_is_in_every_answer_and_the_daily_limit_refuses_with_403(
    sandbox: SalesforceSandbox, sf: Client
) -> None:
    sf.query("SELECT Id FROM User")
    usage = sf.api_usage["api-usage"]
    assert (usage.used, usage.total) == (sandbox.store.usage.used, 100_000)
    assert sf.limits()["DailyApiRequests"] == {
        "Max": 100_000,
        "Remaining": 100_000 - sandbox.store.usage.used,
    }
    used = sandbox.store.usage.used
    sandbox.store.set_api_usage(100_000)
    try:
        with pytest.raises(SalesforceRefusedRequest) as caught:
            sf.query("SELECT Id FROM User")
    finally:
        sandbox.store.set_api_usage(used)
    assert error_body(caught.value) == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]


def test_an_expired_session_is_refused_and_a_new_token_works(sandbox: SalesforceSandbox) -> None:
    creds, http = sandbox.credentials, sandbox.session()
    form = {"grant_type": "client_credentials", "client_id": creds["client_id"]}
    old = sandbox.client()
    sandbox.expire_sessions()
    with pytest.raises(SalesforceExpiredSession) as caught:
        old.query("SELECT Id FROM User")
    assert error_body(caught.value) == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    wrong = http.post(creds["token_url"], data={**form, "client_secret": "nope"})
    assert (wrong.status_code, wrong.json()) == (
        400,
        {"error": "invalid_client", "error_description": "invalid client credentials"},
    )
    token = http.post(creds["token_url"], data={**form, "client_secret": creds["client_secret"]}).json()
    assert set(token) == {
        "access_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert (token["token_type"], token["instance_url"]) == ("Bearer", sandbox.url)
    fresh = sandbox.client(token["access_token"])
    assert fresh.query("SELECT Id FROM User")["totalSize"] == 10
    sandbox.renew_session()


def test_a_session_can_expire_after_n_calls(sandbox: SalesforceSandbox) -> None:
    sf = sandbox.client(sandbox.renew_session())
    sandbox.expire_sessions_after(2)
    sf.query("SELECT Id FROM User")
    sf.query("SELECT Id FROM User")
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM User")
    sandbox.renew_session()


def test_versions_need_no_session_and_unknown_versions_are_not_found(sandbox: SalesforceSandbox) -> None:
    http = sandbox.session()
    versions = http.get(f"{sandbox.url}/services/data/").json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    old = Salesforce(
        instance_url=sandbox.url, session_id=sandbox.settings()["session_id"], session=http, version="58.0"
    )
    with pytest.raises(SalesforceResourceNotFound) as caught:
        old.query("SELECT Id FROM Lead")
    assert error_body(caught.value) == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]
    junk = http.get(f"{sandbox.url}/services/data/v59.0/limits", headers={"Authorization": "Bearer junk"})
    assert (junk.status_code, junk.json()[0]["errorCode"]) == (401, "INVALID_SESSION_ID")


# -- faults and the call log --------------------------------------------------------------------
def test_faults_answer_in_salesforce_dialect(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    (lead_id,) = take(spare_leads, 1)
    sandbox.faults.push(Fault(kind="unavailable", path="/query"))
    with pytest.raises(SalesforceGeneralError) as unavailable:
        sf.query("SELECT Id FROM User")
    assert unavailable.value.status == 503
    sandbox.faults.push(Fault(kind="server_error", path="/query"))
    with pytest.raises(SalesforceGeneralError) as server_error:
        sf.query("SELECT Id FROM User")
    assert error_codes(server_error.value) == ["UNKNOWN_EXCEPTION"]
    sandbox.faults.push(Fault(kind="lock", path="/sobjects/Lead/"))
    with pytest.raises(SalesforceMalformedRequest) as locked:
        sf.Lead.update(lead_id, {"Rating": "Hot"})
    assert error_codes(locked.value) == ["UNABLE_TO_LOCK_ROW"]
    sandbox.faults.push(Fault(kind="lock", path="/composite/sobjects"))
    results = patch_records(sf, [lead(lead_id, Rating="Hot")])
    assert [status_codes(r) for r in results] == [["UNABLE_TO_LOCK_ROW"]]
    sandbox.faults.push(Fault(kind="request_limit", path="/query"))
    with pytest.raises(SalesforceRefusedRequest) as limited:
        sf.query("SELECT Id FROM User")
    assert error_codes(limited.value) == ["REQUEST_LIMIT_EXCEEDED"]
    assert sf.query("SELECT Id FROM User")["totalSize"] == 10  # one fault each, then normal


def test_an_expired_session_fault_really_ends_that_session(sandbox: SalesforceSandbox) -> None:
    sf = sandbox.client(sandbox.renew_session())
    sandbox.faults.push(Fault(kind="expired_session", path="/query"))
    for _ in range(2):
        with pytest.raises(SalesforceExpiredSession):
            sf.query("SELECT Id FROM User")
    sandbox.renew_session()


def test_a_timeout_fault_holds_the_answer_past_the_client_timeout() -> None:
    # its own small org: the held call is answered (and counted) after this test has moved on
    with SalesforceSandbox(people=50, seed=1, clock=ManualClock(NOW)) as small:
        small.faults.push(Fault(kind="timeout", path="/query", delay_s=1.0))
        with pytest.raises(requests.exceptions.ReadTimeout):
            small.client().query("SELECT Id FROM User", timeout=0.2)
        assert small.calls.count("GET", "query") == 1


def test_calls_are_counted_per_endpoint_in_stats_which_count_nothing(
    sandbox: SalesforceSandbox, sf: Client
) -> None:
    stats_url = f"{sandbox.url}/__sandbox__/stats"
    http = sandbox.session()
    before = http.get(stats_url).json()
    sf.query("SELECT Id FROM User")
    sf.Lead.describe()
    after = http.get(stats_url).json()
    assert after["calls"]["GET query"] == before["calls"].get("GET query", 0) + 1
    assert after["calls"]["GET describe Lead"] == before["calls"].get("GET describe Lead", 0) + 1
    assert after["api_usage"]["used"] == before["api_usage"]["used"] + 2
    assert not any("__sandbox__" in name for name in after["calls"])


def test_records_named_by_id_come_in_id_order_and_meet_the_other_terms(
    sandbox: SalesforceSandbox, sf: Client
) -> None:
    leads = live(sandbox, "Lead")
    assert [r["Id"] for r in leads] == sorted(r["Id"] for r in leads)  # rows are kept in Id order
    named = [str(r["Id"]) for r in leads[40:10:-3]]
    given = ", ".join(f"'{i[:15] if n % 2 else i}'" for n, i in enumerate(named))
    rows = sf.query(
        f"SELECT Id, Rating FROM Lead WHERE Rating = 'Hot' AND Id IN ({given}, '00Q000000000000')"  # noqa: S608
    )
    assert [r["Id"] for r in rows["records"]] == sorted(
        i for i in named if stored(sandbox, i)["Rating"] == "Hot"
    )
    either = sf.query(f"SELECT Id FROM Lead WHERE Id = '{named[0]}' OR Id = '{named[1]}'")["records"]  # noqa: S608
    assert [r["Id"] for r in either] == sorted(named[:2])


def test_a_stamp_range_query_follows_writes_and_edits(
    sandbox: SalesforceSandbox, sf: Client, spare_leads: Iterator[str]
) -> None:
    written, edited = take(spare_leads, 2)
    old = str(stored(sandbox, written)["SystemModstamp"]).replace("+0000", "Z")
    at_old = f"SELECT Id FROM Lead WHERE SystemModstamp = {old}"  # noqa: S608
    assert written in {r["Id"] for r in sf.query(at_old)["records"]}  # the stamp index is in use
    sandbox.clock.advance(1)
    patch_records(sf, [lead(written, Rating="Warm")])
    since = str(stored(sandbox, written)["SystemModstamp"]).replace("+0000", "Z")
    sandbox.clock.advance(1)
    sandbox.store.update_as_user("Lead", edited, "alice.martin@example.com", Title="CTO")
    sandbox.clock.advance(1)
    patch_records(sf, [lead(written, Rating="Hot")])
    query = f"SELECT Id FROM Lead WHERE SystemModstamp >= {since} ORDER BY SystemModstamp, Id"  # noqa: S608
    assert Counter(r["Id"] for r in sf.query(query)["records"]) == Counter([written, edited])  # each once
    assert written not in {r["Id"] for r in sf.query(at_old)["records"]}
