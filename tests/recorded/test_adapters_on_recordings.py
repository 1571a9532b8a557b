"""The adapters parse and act on recorded real bodies, served by a loopback replay (no sandbox in between)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from adapters.hubspot import plugin as hubspot_plugin
from adapters.salesforce import plugin as salesforce_plugin
from leadsync.adapter_api import AdapterContext, AuthError, Change, TransientError
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from leadsync.model import Cursor, RecordRef
from tests.recorded.replay import Answer, Served, replaying
from tests.recorded.shapes import recorded

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))
TOKEN = "pat-na1-00000000-0000-4000-8000-000000000000"  # a placeholder: the replay checks no token
SESSION = "00D000000000000!placeholder"
VERSION = "66.0"  # the version of the recorded REST guide bodies
DATA = f"/services/data/v{VERSION}"


def hubspot_adapter(served: Served):
    context = AdapterContext(
        name="hubspot",
        options={"base_url": served.url, "access_token": TOKEN},
        mapping=load_mapping(hubspot_plugin.default_mapping),
        clock=ManualClock(NOW),
    )
    return hubspot_plugin.create(context)


def salesforce_adapter(served: Served):
    options = {
        "instance_url": served.url,
        "session_id": SESSION,
        "ca_bundle": str(served.ca_bundle),
        "api_version": VERSION,
        "attempts": 1,
    }
    context = AdapterContext(
        name="salesforce",
        options=options,
        mapping=load_mapping(salesforce_plugin.default_mapping),
        clock=ManualClock(NOW),
    )
    return salesforce_plugin.create(context)


# -- HubSpot --------------------------------------------------------------------------------------


# No last page of `GET /crm/v3/objects/contacts?archived=true` is recorded (fixtures README): the
# search's last page stands in for it, the same `results` of contacts and no `paging`. Its contacts
# are not archived, so the read reports none deleted.
NO_DELETIONS = {("GET", "/crm/v3/objects/contacts"): [Answer(200, "hubspot/search_contacts_last_page.json")]}


def test_hubspot_reads_a_person_from_a_recorded_search_page():
    routes = {
        ("POST", "/crm/v3/objects/contacts/search"): [Answer(200, "hubspot/search_contacts_last_page.json")],
        ("GET", "/crm/v3/owners"): [Answer(200, "hubspot/owners_page.json")],
        **NO_DELETIONS,
    }
    with replaying(routes) as served:
        pages = list(hubspot_adapter(served).changed_people(EPOCH))
    assert [(p.ref.record_id, p.email) for page in pages for p in page.items] == [
        ("103107104018", "contact-103107104018@example.com")
    ]
    assert all(page.rejected == () for page in pages)
    assert pages[-1].cursor == Cursor(datetime(2025, 3, 1, 19, 26, 12, 592000, tzinfo=UTC), "103107104018")


def test_hubspot_does_not_stop_at_a_recorded_short_page_that_has_after():
    # One result where 200 were asked for, and `paging.next.after`: not the end (issue 20, short pages).
    routes = {
        ("POST", "/crm/v3/objects/contacts/search"): [
            Answer(200, "hubspot/search_contacts_page.json"),
            Answer(200, "hubspot/search_contacts_last_page.json"),
        ],
        ("GET", "/crm/v3/owners"): [Answer(200, "hubspot/owners_page.json")],
        **NO_DELETIONS,
    }
    with replaying(routes) as served:
        list(hubspot_adapter(served).changed_people(EPOCH))
    searches = [body for _, path, _, body in served.app.requests if path.endswith("/search")]
    assert searches[0]["limit"] > len(recorded("hubspot/search_contacts_page.json")["results"])
    assert len(searches) >= 2


def test_hubspot_pages_the_archived_list_with_the_recorded_cursor_as_given():
    routes = {
        ("POST", "/crm/v3/objects/contacts/search"): [Answer(200, "hubspot/search_contacts_last_page.json")],
        ("GET", "/crm/v3/owners"): [Answer(200, "hubspot/owners_page.json")],
        ("GET", "/crm/v3/objects/contacts"): [
            Answer(200, "hubspot/list_contacts_page.json"),
            *NO_DELETIONS[("GET", "/crm/v3/objects/contacts")],
        ],
    }
    with replaying(routes) as served:
        pages = list(hubspot_adapter(served).changed_people(EPOCH))
    listed = [
        parse_qs(query) for _, path, query, _ in served.app.requests if path == "/crm/v3/objects/contacts"
    ]
    assert [q.get("after") for q in listed] == [None, ["394"]]
    # the client sends Python's `True`, as for owners (hubspot-api-python issue #64: HubSpot takes it)
    assert all(q["archived"][0].lower() == "true" and q["limit"] == ["100"] for q in listed)
    assert [g for page in pages for g in page.gone] == []  # the recorded contacts are not archived


def test_hubspot_confirms_only_the_records_a_recorded_207_names_as_written():
    routes = {
        ("POST", "/crm/v3/objects/contacts/batch/update"): [Answer(207, "hubspot/batch_update_207.json")],
        ("GET", "/crm/v3/owners"): [Answer(200, "hubspot/owners_page.json")],
    }
    refs = [
        RecordRef("hubspot", "contacts", "unknownIdentifier888"),
        RecordRef("hubspot", "contacts", "171591000199"),
    ]
    with replaying(routes) as served:
        results = list(hubspot_adapter(served).apply([Change(ref, {"score": 10}) for ref in refs]))
    assert [(r.ref.record_id, r.ok) for r in results] == [
        ("unknownIdentifier888", False),
        ("171591000199", True),
    ]
    assert "Could not get some CONTACT objects" in results[0].message


@pytest.mark.parametrize(
    ("status", "name", "error"),
    [
        (401, "hubspot/error_401_invalid_authentication.json", AuthError),
        (429, "hubspot/error_429_rate_limit.json", TransientError),
    ],
)
def test_hubspot_maps_recorded_error_bodies(status, name, error):
    with replaying({("GET", "/crm/v3/owners"): [Answer(status, name)]}) as served, pytest.raises(error):
        list(hubspot_adapter(served).owners())


# -- Salesforce -----------------------------------------------------------------------------------


def test_salesforce_maps_a_recorded_collections_result_with_a_per_record_error():
    routes = {
        ("PATCH", f"{DATA}/composite/sobjects"): [Answer(200, "salesforce/collections_update_errors.json")]
    }
    refs = [
        RecordRef("salesforce", "Lead", "00Q000000000001AAA"),
        RecordRef("salesforce", "Lead", "00Q000000000002AAA"),
    ]
    with replaying(routes, tls=True) as served:
        results = list(salesforce_adapter(served).apply([Change(ref, {"score": 10}) for ref in refs]))
    assert [r.ok for r in results] == [True, False]
    assert results[1].code == "MALFORMED_ID"
    assert results[1].message == "Contact ID: id value of incorrect type: 001xx000003DGb2999"
    sent = [body for method, _, _, body in served.app.requests if method == "PATCH"]
    assert [r["id"] for r in sent[0]["records"]] == [ref.record_id for ref in refs]


@pytest.mark.parametrize(
    ("status", "name", "error"),
    [
        (401, "salesforce/error_401_invalid_session.json", AuthError),
        (403, "salesforce/error_403_request_limit.json", TransientError),
    ],
)
def test_salesforce_maps_recorded_error_bodies(status, name, error):
    routes = {("GET", f"{DATA}/queryAll"): [Answer(status, name)]}  # people are read by QueryAll
    with replaying(routes, tls=True) as served, pytest.raises(error):
        list(salesforce_adapter(served).changed_people(EPOCH))
