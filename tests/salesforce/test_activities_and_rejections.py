"""Activities read incrementally, and records that fail mapping, against the sandbox."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from leadsync.adapter_api import StreamUnavailable
from leadsync.model import ActivityKind, Cursor

from .conftest import MakeAdapter

EPOCH = Cursor(datetime(2000, 1, 1, tzinfo=UTC))


def _human(sandbox) -> str:
    user = next(
        u for u in sandbox.store.records("User")
        if u["IsActive"] and u["Id"] != sandbox.store.integration_user_id
    )  # fmt: skip
    return str(user["Email"])


def _campaign_types(sandbox) -> dict[str, str]:
    return {str(c["Id"]): str(c["Type"]) for c in sandbox.store.records("Campaign")}


def _activity_ids(pages) -> list[str]:
    return [a.ref.record_id for page in pages for a in page.items]


def test_two_activity_reads_in_a_row_and_the_second_sees_only_the_changes(
    sandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter(page_size=2000)
    last = [page.cursor for page in adapter.changed_activities(EPOCH)][-1]
    assert list(adapter.changed_activities(last)) == []
    human = _human(sandbox)
    task = next(t for t in sandbox.store.records("Task") if t["TaskSubtype"] == "Call" and t["WhoId"])
    types = _campaign_types(sandbox)
    member = next(
        m for m in sandbox.store.records("CampaignMember")
        if m["Status"] == "Registered" and types[str(m["CampaignId"])] == "Webinar"
    )  # fmt: skip
    sandbox.store.update_as_user("Task", str(task["Id"]), human, Subject="Call about a demo")
    sandbox.store.update_as_user("CampaignMember", str(member["Id"]), human, Status="Attended")
    again = [a for page in adapter.changed_activities(last) for a in page.items]
    assert {(a.ref.record_id, a.kind) for a in again} == {
        (task["Id"], ActivityKind.DEMO_REQUEST),
        (member["Id"], ActivityKind.WEBINAR_ATTENDED),
    }
    attended = next(a for a in again if a.kind is ActivityKind.WEBINAR_ATTENDED)
    stored = sandbox.store.get("CampaignMember", str(member["Id"]))
    assert stored is not None
    assert attended.person.record_id == member["LeadOrContactId"]
    assert attended.occurred_at > last.stamp  # LastModifiedDate: when the status was set
    assert list(adapter.changed_activities(max(p.cursor for p in adapter.changed_activities(last)))) == []


def test_activities_resume_from_any_page_cursor_without_loss_or_repeat(
    sandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter(page_size=200)
    pages = list(adapter.changed_activities(EPOCH))
    assert len(pages) > 10
    whole = _activity_ids(pages)
    assert len(whole) == len(set(whole))
    for cut in (len(pages) // 3, len(pages) - 2):
        rest = _activity_ids(adapter.changed_activities(pages[cut].cursor))
        before = _activity_ids(pages[: cut + 1])
        assert before + rest == whole, f"resume after page {cut}"
    assert pages[-1].cursor.stamp <= sandbox.clock.now()


def test_an_activity_object_out_of_the_users_sight_is_skipped_with_why_and_the_rest_read(
    sandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter(page_size=2000)
    whole = _activity_ids(adapter.changed_activities(EPOCH))
    with sandbox.refusing_optional_stream(), capture_logs() as logs:
        read = _activity_ids(adapter.changed_activities(EPOCH))
        [reason] = adapter.usage().skipped
        problems = adapter.check().problems
    members = {str(m["Id"]) for m in sandbox.store.records("CampaignMember")}
    assert read == [i for i in whole if i not in members]
    assert len(read) < len(whole)
    assert reason.startswith(
        "CampaignMember skipped: Salesforce crm.sf: query answered HTTP 400 INVALID_TYPE"
    )
    assert "grant the user read access" in reason
    [warning] = [e for e in logs if e["event"] == "stream.skipped"]
    assert (warning["log_level"], warning["stream"], warning["category"]) == (
        "warning",
        "CampaignMember",
        "INVALID_TYPE",
    )
    [problem] = problems
    assert problem.path == "activities.CampaignMember"
    assert "each cycle skips CampaignMember with a warning" in problem.message
    assert _activity_ids(adapter.changed_activities(EPOCH)) == whole  # asked again, and served
    assert adapter.usage().skipped == ()


def test_a_people_object_out_of_the_users_sight_stops_the_read(sandbox, make_adapter: MakeAdapter) -> None:
    sandbox.store.hidden_objects.add("Contact")
    try:
        with pytest.raises(StreamUnavailable, match="INVALID_TYPE"):
            list(make_adapter().changed_people(EPOCH))
    finally:
        sandbox.store.hidden_objects.discard("Contact")


def test_campaign_members_are_mapped_to_kinds_by_type_and_status(sandbox, make_adapter: MakeAdapter) -> None:
    activities = [a for page in make_adapter(page_size=2000).changed_activities(EPOCH) for a in page.items]
    kind_of = {a.ref.record_id: a.kind for a in activities}
    types = _campaign_types(sandbox)
    expected = {
        ("Webinar", "Attended"): ActivityKind.WEBINAR_ATTENDED,
        ("Webinar", "Registered"): ActivityKind.WEBINAR_REGISTERED,
        ("Content", "Responded"): ActivityKind.WHITEPAPER_DOWNLOAD,
        ("Email", "Responded"): ActivityKind.EMAIL_CLICK,
        ("Event", "Responded"): ActivityKind.EVENT_REGISTRATION,
        ("Event", "Attended"): ActivityKind.EVENT_REGISTRATION,
    }
    assets = {  # content campaigns named after a bottom-of-funnel asset
        "Case study": ActivityKind.CASE_STUDY_DOWNLOAD,
        "Price list": ActivityKind.PRICE_LIST_DOWNLOAD,
    }
    asset_of = {str(c["Id"]): str(c["Name"]).rsplit(" ", 1)[0] for c in sandbox.store.records("Campaign")}
    seen = set()
    for member in sandbox.store.records("CampaignMember"):
        if member["IsDeleted"]:
            continue
        key = (types[str(member["CampaignId"])], str(member["Status"]))
        asset = asset_of[str(member["CampaignId"])]
        want = assets[asset] if asset in assets and member["HasResponded"] else expected.get(key)
        if key[0] == "Webinar" or want is not None:
            assert kind_of.get(str(member["Id"])) == want, f"{member['Id']} {key}"
            seen.add(want)
        elif not member["HasResponded"]:
            assert str(member["Id"]) not in kind_of  # e.g. a registration nobody responded to
    assert {ActivityKind.WEBINAR_ATTENDED, ActivityKind.WEBINAR_REGISTERED, *assets.values()} <= seen


def test_each_activity_page_is_one_query_page_of_the_batch_size(sandbox, make_adapter: MakeAdapter) -> None:
    adapter = make_adapter(page_size=300)
    pages = list(adapter.changed_activities(EPOCH))
    live = {s: sum(1 for r in sandbox.store.records(s) if not r["IsDeleted"]) for s in ("Task", "Event")}
    members = sum(1 for r in sandbox.store.records("CampaignMember") if not r["IsDeleted"])
    # queryMore without `Sforce-Query-Options: batchSize=300` would get pages of 2,000: fewer calls.
    expected = sum(math.ceil(n / 300) for n in (*live.values(), members))
    assert adapter.usage().calls == expected
    assert len(pages) == math.ceil(sum((*live.values(), members)) / 300)


def test_a_record_that_fails_mapping_is_rejected_and_its_page_still_read(
    sandbox, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter()
    last = [page.cursor for page in adapter.changed_people(EPOCH)][-1]
    leads = [r for r in sandbox.store.records("Lead") if not r["IsConverted"] and not r["IsDeleted"]]
    bad, good = str(leads[10]["Id"]), str(leads[11]["Id"])
    human = _human(sandbox)
    sandbox.store.update_as_user("Lead", good, human, Title="Head of Growth")
    sandbox.store.update_as_user("Lead", bad, human, Email="jane.doe-at-example.com", Title="T" * 500)
    [page] = list(adapter.changed_people(last))
    assert [(p.ref.record_id, p.title) for p in page.items] == [(good, "Head of Growth")]
    [rejection] = page.rejected
    assert rejection.ref.record_id == bad
    assert "email" in rejection.reason.lower()
    assert "jane.doe-at-example.com" in rejection.reason + rejection.excerpt
    assert len(rejection.excerpt) <= 500
    shown = json.loads(rejection.excerpt)
    assert shown["Id"] == bad
    assert shown["Email"] == "jane.doe-at-example.com"
    assert all(len(str(value)) <= 61 for value in shown.values())  # long values are cut
    assert "attributes" not in shown
    assert "Lead field 'Email'" in rejection.reason
    assert page.cursor >= max(Cursor(_stamp(sandbox, i), i) for i in (bad, good))  # the cursor passes both


def _stamp(sandbox, lead_id: str) -> datetime:
    stored = sandbox.store.get("Lead", lead_id)
    assert stored is not None
    return datetime.fromisoformat(str(stored["SystemModstamp"])).astimezone(UTC)


def test_the_seeds_dirty_records_are_rejected_with_reasons(sandbox, make_adapter: MakeAdapter) -> None:
    pages = list(make_adapter().changed_people(EPOCH))
    rejected = [r for page in pages for r in page.rejected]
    invalid = {
        str(r["Id"]) for s in ("Lead", "Contact") for r in sandbox.store.records(s)
        if r["Email"] and "@" not in str(r["Email"]) and not r["IsDeleted"] and not r.get("IsConverted")
    }  # fmt: skip
    assert invalid
    assert invalid <= {r.ref.record_id for r in rejected}
    for rejection in rejected:
        assert rejection.reason
        assert json.loads(rejection.excerpt)["Id"] == rejection.ref.record_id
    read = {p.ref.record_id for page in pages for p in page.items}
    assert not read & {r.ref.record_id for r in rejected}
