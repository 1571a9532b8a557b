"""Write-back, schema check, sessions, budget and retries against the sandbox."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from adapters.salesforce import plugin
from adapters.salesforce.options import SalesforceOptionsError
from adapters.salesforce.setup_fields import CUSTOM_FIELDS, setup_table
from leadsync.adapter_api import AuthError, BudgetExhausted, Change, TransientError, UnmappedFieldError
from leadsync.mapping import load_mapping
from leadsync.model import RecordRef
from leadsync.testing.sandbox_server import Fault

from .conftest import MakeAdapter

REPO = Path(__file__).resolve().parents[2]


def _open_leads(sandbox, count: int, skip: int = 0) -> list[str]:
    users = {u["Id"]: u for u in sandbox.store.records("User")}
    ids = [
        str(r["Id"]) for r in sandbox.store.records("Lead")
        if not r["IsConverted"] and not r["IsDeleted"] and users.get(str(r["OwnerId"]), {}).get("IsActive")
    ]  # fmt: skip
    return ids[skip : skip + count]


def _ref(lead_id: str) -> RecordRef:
    return RecordRef("sf", "Lead", lead_id)


def test_the_mapping_copy_is_identical() -> None:
    assert plugin.default_mapping.read_bytes() == (REPO / "mappings" / "salesforce.toml").read_bytes()


def test_writes_take_ceil_n_over_200_calls_and_read_back(sandbox, make_adapter: MakeAdapter) -> None:
    ids = _open_leads(sandbox, 450, skip=100)
    adapter = make_adapter()
    before = sandbox.calls.count("PATCH")
    results = list(
        adapter.apply([Change(_ref(i), {"score": 70, "temperature": "hot", "stage": "sql"}) for i in ids])
    )
    assert all(r.ok for r in results)
    assert sandbox.calls.count("PATCH") - before == math.ceil(450 / 200)
    stored = sandbox.store.get("Lead", ids[0])
    assert stored is not None
    assert (stored["LeadSync_Score__c"], stored["Rating"], stored["Status"]) == (70, "Hot", "Qualified")
    [current] = adapter.read_current([_ref(ids[0])])
    assert {k: current.values[k] for k in ("score", "temperature", "stage")} == {
        "score": 70, "temperature": "hot", "stage": "sql",
    }  # fmt: skip
    assert current.modified_by == "leadsync.integration@sales.example.com"


def _open_contacts(sandbox, count: int) -> list[str]:
    return [str(r["Id"]) for r in sandbox.store.records("Contact") if not r["IsDeleted"]][-count:]


def test_interleaved_leads_and_contacts_are_written_in_type_order_within_the_10_chunk_limit(
    sandbox, make_adapter: MakeAdapter
) -> None:
    leads, contacts = _open_leads(sandbox, 100, skip=950), _open_contacts(sandbox, 100)
    refs = [
        ref
        for pair in zip(leads, contacts, strict=True)
        for ref in (_ref(pair[0]), RecordRef("sf", "Contact", pair[1]))
    ]
    before = sandbox.calls.count("PATCH")
    results = list(make_adapter().apply([Change(ref, {"score": 64}) for ref in refs]))
    assert [r.ref for r in results] == refs  # one result per change, in the order asked
    assert all(r.ok for r in results), {r.code for r in results if not r.ok}
    assert sandbox.calls.count("PATCH") - before == math.ceil(200 / 200)  # no call more for the order


def test_owner_email_is_written_as_owner_id(sandbox, make_adapter: MakeAdapter) -> None:
    (lead_id,) = _open_leads(sandbox, 1, skip=600)
    owner = next(
        u
        for u in sandbox.store.records("User")
        if u["IsActive"] and u["Id"] != sandbox.store.integration_user_id
    )
    adapter = make_adapter()
    [result] = adapter.apply([Change(_ref(lead_id), {"owner": str(owner["Email"]).upper()})])
    assert result.ok
    assert sandbox.store.get("Lead", lead_id)["OwnerId"] == owner["Id"]
    [current] = adapter.read_current([_ref(lead_id)])
    assert current.values["owner"] == str(owner["Email"]).lower()


def test_per_record_errors_are_reported_and_the_rest_written(sandbox, make_adapter: MakeAdapter) -> None:
    ok1, rejected, ok2 = _open_leads(sandbox, 3, skip=700)
    sandbox.store.reject_on_save(rejected, message="Score needs a reason")
    results = list(make_adapter().apply([Change(_ref(i), {"score": 33}) for i in (ok1, rejected, ok2)]))
    assert [(r.ok, r.code, r.retryable) for r in results] == [
        (True, "", False), (False, "FIELD_CUSTOM_VALIDATION_EXCEPTION", False), (True, "", False),
    ]  # fmt: skip
    assert results[1].message == "Score needs a reason"
    assert sandbox.store.get("Lead", ok2)["LeadSync_Score__c"] == 33


def test_an_unmapped_value_is_refused_and_nothing_is_sent(sandbox, make_adapter: MakeAdapter) -> None:
    (lead_id,) = _open_leads(sandbox, 1, skip=800)
    before = sandbox.calls.count()
    with pytest.raises(UnmappedFieldError, match=r"write\.Lead\.reasons"):
        make_adapter().apply([Change(_ref(lead_id), {"score": 1}), Change(_ref(lead_id), {"reasons": "x"})])
    assert sandbox.calls.count() == before


def test_locked_records_are_retried_with_injected_waits(sandbox, make_adapter: MakeAdapter) -> None:
    a, b = _open_leads(sandbox, 2, skip=900)
    waits: list[float] = []
    sandbox.faults.push(Fault(kind="lock", path="/composite/sobjects"), times=2)
    results = list(
        make_adapter(sleep=waits.append, backoff_s=1.0).apply([Change(_ref(i), {"score": 5}) for i in (a, b)])
    )
    assert [r.ok for r in results] == [True, True]
    assert waits == [1.0, 2.0]


def test_5xx_and_timeouts_are_retried_then_transient(sandbox, make_adapter: MakeAdapter) -> None:
    waits: list[float] = []
    sandbox.faults.push(Fault(kind="server_error", path="/query"))
    sandbox.faults.push(Fault(kind="unavailable", path="/query"))
    assert list(make_adapter(sleep=waits.append).owners())
    assert waits == [1.0, 2.0]
    sandbox.faults.push(Fault(kind="server_error", path="/query"), times=3)
    with pytest.raises(TransientError, match="UNKNOWN_EXCEPTION"):
        list(make_adapter(attempts=3).owners())
    waits.clear()
    sandbox.faults.push(Fault(kind="timeout", path="/query", delay_s=0.6))
    assert list(make_adapter(sleep=waits.append, timeout_s=0.3).owners())
    assert waits == [1.0]


def test_budget_signal_before_the_next_call(sandbox, make_adapter: MakeAdapter) -> None:
    used = sandbox.store.usage.used
    adapter = make_adapter(budget_share=0.5)
    sandbox.store.set_api_usage(60_000)
    try:
        before = sandbox.calls.count()
        with pytest.raises(BudgetExhausted, match="budget share 50%"):
            list(adapter.owners())  # its first call reports 60 % used: the next one is not sent
        assert sandbox.calls.count() == before + 1
        with pytest.raises(BudgetExhausted, match="budget share 50%"):
            list(adapter.owners())
        assert sandbox.calls.count() == before + 1
        sandbox.faults.push(Fault(kind="request_limit", path="/query"))
        with pytest.raises(BudgetExhausted, match="REQUEST_LIMIT_EXCEEDED"):
            list(make_adapter().owners())
    finally:
        sandbox.store.set_api_usage(used)


def test_an_expired_session_is_renewed_through_the_token_endpoint(sandbox, make_adapter: MakeAdapter) -> None:
    creds = sandbox.credentials
    adapter = make_adapter(session_id=None, instance_url=None, token_url=creds["token_url"],
                           client_id=creds["client_id"], client_secret=creds["client_secret"])  # fmt: skip
    assert list(adapter.owners())
    sandbox.expire_sessions()
    assert list(adapter.owners())  # renewed once, transparently
    sandbox.renew_session()


def test_a_token_endpoint_that_is_down_or_slow_is_retried_not_taken_for_refused_credentials(
    sandbox, make_adapter: MakeAdapter
) -> None:
    creds = sandbox.credentials
    waits: list[float] = []
    adapter = make_adapter(session_id=None, instance_url=None, token_url=creds["token_url"],
                           client_id=creds["client_id"], client_secret=creds["client_secret"],
                           timeout_s=0.05, sleep=waits.append)  # fmt: skip
    token = "/services/oauth2/token"
    sandbox.faults.push(Fault(kind="unavailable", path=token))
    sandbox.faults.push(Fault(kind="timeout", path=token, delay_s=0.1))
    assert list(adapter.owners())
    assert waits == [1.0, 2.0]  # two failed logins, each waited for through the injected sleep
    sandbox.faults.push(Fault(kind="unavailable", path=token), times=4)
    sandbox.expire_sessions()
    with pytest.raises(TransientError, match="HTTP 503"):
        list(adapter.owners())  # down for good: retried next cycle, credentials kept
    sandbox.renew_session()


def test_a_bare_session_that_expired_fails_with_a_clear_auth_error(
    sandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter()
    sandbox.expire_sessions()
    try:
        with pytest.raises(AuthError, match="session_id") as caught:
            list(adapter.owners())
        assert sandbox.settings()["session_id"] not in str(caught.value)
        assert caught.value.__cause__ is None
    finally:
        sandbox.renew_session()


def test_check_passes_on_the_default_mapping_and_names_problems(
    sandbox, make_adapter: MakeAdapter, tmp_path
) -> None:
    assert make_adapter().check().problems == ()
    text = (REPO / "mappings" / "salesforce.toml").read_text(encoding="utf-8")
    text = text.replace('title = "Title"', 'title = "Job_Title__c"', 1)
    text = text.replace(
        '# stage_entered_at = "LeadSync_Stage_Date__c"', 'stage_entered_at = "LeadSync_Age_Days__c"'
    )
    text = text.replace('hot = "Hot" } }\n# Optional', 'hot = "Boiling" } }\n# Optional', 1)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    report = make_adapter(mapping=load_mapping(path)).check()
    keys = {p.path for p in report.problems}
    assert "people.Lead.fields.title" in keys
    assert "write.Lead.stage_entered_at" in keys
    assert "write.Lead.temperature.values.hot" in keys
    assert all(p.file == str(path) and p.hint for p in report.problems)


def test_check_says_how_a_missing_field_comes_to_exist_or_to_be_seen(
    sandbox, make_adapter: MakeAdapter, tmp_path
) -> None:
    text = (REPO / "mappings" / "salesforce.toml").read_text(encoding="utf-8")
    for old, new in (
        ('"attributes.pardot_grade" = "pi__grade__c"', '"attributes.pardot_grade" = "pi__campaign__c"'),
        ('country = "MailingCountryCode"', 'country = "MailingStateCode"'),
        ('stage = "LeadSync_Stage__c"      # custom picklist', 'stage = "LeadSync_Stage_Name__c"'),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "missing.toml"
    path.write_text(text, encoding="utf-8")
    problems = {p.path: p.hint for p in make_adapter(mapping=load_mapping(path)).check().problems}
    assert (
        "Account Engagement (Pardot) connector package"
        in problems["people.Lead.fields.attributes.pardot_grade"]
    )
    assert "State and Country/Territory Picklists" in problems["people.Contact.fields.country"]
    assert "Setup → Object Manager → Contact" in problems["people.Contact.fields.stage"]
    assert all("field-level security" in hint for hint in problems.values())


def test_check_reports_bad_credentials_as_a_problem(make_adapter: MakeAdapter) -> None:
    report = make_adapter(session_id="00Dbad!token").check()
    assert not report.ok
    assert "00Dbad!token" not in report.problems[0].render()


def test_invalid_options_name_their_keys_and_never_echo_secrets(make_adapter: MakeAdapter) -> None:
    with pytest.raises(SalesforceOptionsError, match=r"crm\.sf\.page_size") as caught:
        make_adapter(page_size=5, session_id="s3cr3t-value")
    assert "s3cr3t" not in str(caught.value)
    with pytest.raises(SalesforceOptionsError, match="client_secret"):
        make_adapter(session_id=None, token_url="https://x/services/oauth2/token", client_id="abc")


def test_check_catches_mapped_fields_of_incompatible_types(
    sandbox, make_adapter: MakeAdapter, tmp_path
) -> None:
    text = (REPO / "mappings" / "salesforce.toml").read_text(encoding="utf-8")
    for old, new in (
        ('employees = "NumberOfEmployees"', 'employees = "Title"'),
        ('title = "Title"', 'title = "NumberOfEmployees"'),
        ('created_at = "CreatedDate"', 'created_at = "Company"'),
        ('"qualification.budget" = "LeadSync_BANT_Budget__c"', '"qualification.budget" = "Industry"'),
        ('score = "LeadSync_Score__c"      # custom number\nowner', 'score = "Company"\nowner'),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "types.toml"
    path.write_text(text, encoding="utf-8")
    problems = {p.path: p for p in make_adapter(mapping=load_mapping(path)).check().problems}
    assert set(problems) == {
        "people.Lead.fields.employees", "people.Lead.fields.title", "people.Lead.fields.created_at",
        "people.Lead.fields.qualification.budget", "write.Lead.score",
    }  # fmt: skip
    assert "Lead.Title is a string field" in problems["people.Lead.fields.employees"].render()
    assert "Lead.Company is a string field" in problems["write.Lead.score"].render()
    assert all(p.file == str(path) and p.hint for p in problems.values())
    fixed = text.replace('employees = "Title"', 'employees = { from = "Title", transform = ["int"] }')
    path.write_text(fixed, encoding="utf-8")
    keys = {p.path for p in make_adapter(mapping=load_mapping(path)).check().problems}
    assert "people.Lead.fields.employees" not in keys  # a transform makes the text a number


def test_the_readme_and_check_know_every_custom_field_of_the_shipped_mapping() -> None:
    mapping = (REPO / "mappings" / "salesforce.toml").read_text(encoding="utf-8")
    named = set(re.findall(r'"(LeadSync_\w+__c)"', mapping))
    assert named <= {field.name for field in CUSTOM_FIELDS}
    assert setup_table() in (REPO / "README.md").read_text(encoding="utf-8")
