"""The HubSpot sandbox's contacts, through the real hubspot-api-client over HTTP: search and reads."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId
from hubspot.crm.contacts.exceptions import ApiException, NotFoundException, UnauthorizedException

from adapters.hubspot.sandbox import HubSpotSandbox, HubSpotStore
from leadsync.clock import ManualClock
from leadsync.testing.seed import population
from tests.sandbox.hubspot_helpers import NOW, body, busiest_stamp, error_body, search, since_epoch

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def hubspot():
    with HubSpotSandbox(people=2000, seed=7, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def big():
    """Over 10,000 contacts, for the search result cap."""
    with HubSpotSandbox(people=16_000, seed=7, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        yield sandbox


def test_search_pages_by_after_and_the_last_page_has_no_paging(hubspot):
    api = hubspot.client().crm.contacts.search_api
    first = api.do_search(public_object_search_request=search([since_epoch()], sort="lastmodifieddate"))
    assert first.total == len(hubspot.store.ids()) > 1000
    assert len(first.results) == 200
    assert first.paging.next.after == "200"
    seen, after, pages = [r.id for r in first.results], first.paging.next.after, 1
    while after is not None:
        page = body(
            api.do_search(
                public_object_search_request=search([since_epoch()], sort="lastmodifieddate", after=after),
                _preload_content=False,
            )
        )
        seen.extend(r["id"] for r in page["results"])
        after, pages = page.get("paging", {}).get("next", {}).get("after"), pages + 1
        assert "paging" in page or len(page["results"]) <= 200
    assert pages == -(-first.total // 200)
    assert sorted(seen) == sorted(hubspot.store.ids())


def test_search_sorts_ascending_or_descending_in_both_sort_forms(hubspot):
    api = hubspot.client().crm.contacts.search_api
    up = api.do_search(public_object_search_request=search([since_epoch()], sort="createdate", limit=50))
    created = [r.properties["createdate"] for r in up.results]
    assert created == sorted(created)
    sort = {"propertyName": "lastmodifieddate", "direction": "DESCENDING"}
    down = api.do_search(public_object_search_request=search([since_epoch()], sort=sort, limit=50))
    assert down.results[0].properties["lastmodifieddate"] == max(
        v["lastmodifieddate"] for v in (hubspot.store.contact(i) for i in hubspot.store.ids()) if v
    )
    stamps = [r.updated_at for r in down.results]
    assert stamps == sorted(stamps, reverse=True)
    assert [r.id for r in down.results] == [
        r.id
        for r in api.do_search(
            public_object_search_request=search([since_epoch()], sort="-lastmodifieddate", limit=50)
        ).results
    ]
    for order in ("hs_lead_status", "-hs_lead_status"):  # records without the property come last either way
        request = search([since_epoch()], sort=order, limit=5, properties=["hs_lead_status"])
        assert all(
            r.properties["hs_lead_status"]
            for r in api.do_search(public_object_search_request=request).results
        )


def test_a_gt_on_hs_object_id_resumes_inside_one_shared_stamp(hubspot):
    api = hubspot.client().crm.contacts.search_api
    stamp, sharing = busiest_stamp(hubspot)
    assert len(sharing) > 100
    same_stamp = {"propertyName": "lastmodifieddate", "operator": "EQ", "value": stamp}
    by_id = {"propertyName": "hs_object_id", "direction": "ASCENDING"}
    read, last = [], None
    while True:
        filters = [same_stamp] + (
            [{"propertyName": "hs_object_id", "operator": "GT", "value": last}] if last else []
        )
        page = api.do_search(public_object_search_request=search(filters, sort=by_id, limit=40))
        if not page.results:
            break
        read.extend(r.id for r in page.results)
        last = page.results[-1].id
    assert read == sharing  # every contact of the stamp, once, in id order


def test_ties_in_the_sort_are_not_in_id_order(hubspot):
    api = hubspot.client().crm.contacts.search_api
    stamp, sharing = busiest_stamp(hubspot)
    same_stamp = {"propertyName": "lastmodifieddate", "operator": "EQ", "value": stamp}
    page = api.do_search(
        public_object_search_request=search([same_stamp], sort="lastmodifieddate", limit=100)
    )
    ids = [r.id for r in page.results]
    assert set(ids) <= set(sharing)
    assert ids != sorted(ids, key=int)  # HubSpot promises no order among equals: sort by id to get one


def test_filters_compare_values_as_hubspot_does(hubspot):
    api = hubspot.client().crm.contacts.search_api

    def total(*filters):
        return api.do_search(public_object_search_request=search(list(filters), limit=1)).total

    stamp, sharing = busiest_stamp(hubspot)
    as_ms = str(int(datetime.fromisoformat(stamp).timestamp() * 1000))
    assert total({"propertyName": "lastmodifieddate", "operator": "EQ", "value": as_ms}) == len(sharing)
    everyone = len(hubspot.store.ids())
    assert (
        total({"propertyName": "hs_object_id", "operator": "GT", "value": "99"})
        == sum(int(i) > 99 for i in hubspot.store.ids())
        > everyone - 20
    )  # numerically: "102" > "99"
    stages = ["lead", "marketingqualifiedlead"]
    expected = sum(hubspot.store.contact(i)["lifecyclestage"] in stages for i in hubspot.store.ids())
    assert total({"propertyName": "lifecyclestage", "operator": "IN", "values": stages}) == expected
    with_status = total({"propertyName": "hs_lead_status", "operator": "HAS_PROPERTY"})
    assert with_status + total({"propertyName": "hs_lead_status", "operator": "NOT_HAS_PROPERTY"}) == everyone
    some = hubspot.store.contact(hubspot.store.ids()[5])
    assert total({"propertyName": "email", "operator": "EQ", "value": some["email"].upper()}) == 1


def test_values_come_back_as_strings_and_datetimes_with_milliseconds(hubspot):
    api = hubspot.client().crm.contacts.search_api
    wanted = ["email", "numemployees", "hubspotscore", "lifecyclestage", "jobtitle", "no_such_property"]
    page = body(
        api.do_search(
            public_object_search_request=search([since_epoch()], limit=20, properties=wanted),
            _preload_content=False,
        )
    )
    for result in page["results"]:
        values = result["properties"]
        assert set(values) == {*wanted[:-1], "createdate", "hs_object_id", "lastmodifieddate"}
        assert values["hs_object_id"] == result["id"]
        assert result["archived"] is False
        assert ISO_MS.match(values["createdate"])
        assert values["createdate"] == result["createdAt"]
        assert values["lastmodifieddate"] == result["updatedAt"]
        assert values["hubspotscore"].isdigit()
        assert values["numemployees"] in (
            None,
            "1-5",
            "5-25",
            "25-50",
            "50-100",
            "100-500",
            "500-1000",
            "1000+",
        )


def test_search_limits_answer_400(hubspot):
    api = hubspot.client().crm.contacts.search_api
    one = {"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}
    for request in (
        search([since_epoch()], limit=201),
        search(groups=[[one]] * 6),
        search([one] * 7),
        search([{"propertyName": "no_such_property", "operator": "EQ", "value": "x"}]),
    ):
        with pytest.raises(ApiException) as raised:
            api.do_search(public_object_search_request=request)
        assert raised.value.status == 400
        assert error_body(raised.value)["category"] == "VALIDATION_ERROR"


def test_no_search_result_past_the_10000th(big):
    api = big.client().crm.contacts.search_api
    assert len(big.store.ids()) > 10_000
    last = body(
        api.do_search(
            public_object_search_request=search([since_epoch()], after="9800"), _preload_content=False
        )
    )
    assert len(last["results"]) == 200
    assert last["paging"]["next"]["after"] == "10000"
    with pytest.raises(ApiException) as raised:
        api.do_search(public_object_search_request=search([since_epoch()], after="10000"))
    assert raised.value.status == 400
    problem = error_body(raised.value)
    assert problem["status"] == "error"
    assert problem["category"] == "VALIDATION_ERROR"
    assert problem["correlationId"]


def test_batch_read_answers_207_naming_the_unknown_ids(hubspot):
    known = hubspot.store.ids()[:2]
    request = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": i} for i in [*known, "999999999"]],
        properties=["email", "lifecyclestage"],
        properties_with_history=[],
    )
    answer = hubspot.client().crm.contacts.batch_api.read(batch_read_input_simple_public_object_id=request)
    assert answer.status == "COMPLETE"
    assert sorted(r.id for r in answer.results) == sorted(known)
    assert answer.num_errors == 1
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context == {"ids": ["999999999"]}
    assert answer.errors[0].message.startswith("Could not get some CONTACT objects")


def test_batch_read_of_more_than_100_is_a_400(hubspot):
    request = BatchReadInputSimplePublicObjectId(inputs=[{"id": str(i)} for i in range(101)], properties=[])
    with pytest.raises(ApiException) as raised:
        hubspot.client().crm.contacts.batch_api.read(batch_read_input_simple_public_object_id=request)
    assert raised.value.status == 400


def test_get_by_id_and_the_404_for_an_unknown_id(hubspot):
    api = hubspot.client().crm.contacts.basic_api
    contact_id = hubspot.store.ids()[3]
    found = api.get_by_id(contact_id, properties=["email", "lifecyclestage"])
    assert found.id == contact_id
    assert found.properties["email"] == hubspot.store.contact(contact_id)["email"]
    with pytest.raises(NotFoundException) as raised:
        api.get_by_id("999999999")
    problem = error_body(raised.value)
    assert problem["category"] == "OBJECT_NOT_FOUND"
    assert problem["context"] == {"id": ["999999999"]}


def test_a_merged_away_id_answers_as_the_survivor_and_is_not_searchable(hubspot):
    survivor = next(i for i in hubspot.store.ids() if hubspot.store.contact(i).get("hs_merged_object_ids"))
    merged_away = hubspot.store.contact(survivor)["hs_merged_object_ids"].split(";")[0]
    client = hubspot.client().crm.contacts
    assert client.basic_api.get_by_id(merged_away).id == survivor
    by_id = {"propertyName": "hs_object_id", "operator": "EQ", "value": merged_away}
    assert client.search_api.do_search(public_object_search_request=search([by_id])).total == 0


def test_a_missing_or_wrong_token_is_a_401(hubspot):
    for token in ("pat-na1-wrong", None):
        client = HubSpot(access_token=token, host=hubspot.url)
        with pytest.raises(UnauthorizedException) as raised:
            client.crm.contacts.basic_api.get_by_id(hubspot.store.ids()[0])
        problem = error_body(raised.value)
        assert problem["category"] == "INVALID_AUTHENTICATION"
        assert problem["message"].startswith("Authentication credentials not found.")
        assert problem["status"] == "error"
        assert problem["correlationId"]


def test_contacts_mirror_the_population_and_the_same_seed_gives_the_same_account():
    people = population(300, 7, now=NOW)
    one, two = (
        HubSpotSandbox(people=300, seed=7, clock=ManualClock(NOW)),
        HubSpotSandbox(people=300, seed=7, clock=ManualClock(NOW)),
    )
    in_hubspot = people.in_hubspot()
    assert len(one.store.ids()) == len(in_hubspot)
    assert [one.store.contact(i) for i in one.store.ids()] == [two.store.contact(i) for i in two.store.ids()]
    for person in in_hubspot:
        values = one.store.contact(str(51 + 3 * person.key))
        assert values["email"] == person.hubspot_email  # case and stray spaces kept
        assert values["company"] == person.company
        assert values["jobtitle"] == person.title
        assert bool(values.get("hubspot_owner_id")) == bool(person.owner)
        assert all(values[f"leadsync_bant_{k}"] == str(v).lower() for k, v in person.qualification.items())
    stages = {one.store.contact(i)["lifecyclestage"] for i in one.store.ids()}
    assert {"subscriber", "lead", "marketingqualifiedlead"} <= stages
    other = HubSpotSandbox(people=300, seed=8, clock=ManualClock(NOW))
    assert other.store.contact(other.store.ids()[0]) != one.store.contact(one.store.ids()[0])


def test_ten_thousand_people_are_seeded_and_served_quickly():
    started = time.perf_counter()
    with HubSpotSandbox(people=10_000, seed=7, clock=ManualClock(NOW)) as sandbox:
        ready = time.perf_counter() - started
        assert sandbox.client().crm.contacts.basic_api.get_by_id(sandbox.store.ids()[0]).id
    print(f"\nHubSpot sandbox, 10,000 people: up and seeded in {ready:.2f} s")  # noqa: T201 - a figure, not a test


def every_page(store: HubSpotStore, request: dict[str, Any], limit: int) -> list[str]:
    """The ids of every page of a search (through the store), in order."""
    ids: list[str] = []
    after: object = 0
    while after is not None:
        answer = store.search("contacts", {**request, "limit": limit, "after": str(after)})
        ids.extend(r["id"] for r in answer["results"])
        after = answer.get("paging", {}).get("next", {}).get("after")
    assert len(ids) == answer["total"]
    return ids


@pytest.mark.parametrize("direction", ["ASCENDING", "DESCENDING"])
def test_pages_read_from_the_stamp_index_match_ordering_every_match(
    hubspot: HubSpotSandbox, direction: str
) -> None:
    """A page sorted by stamp is read from the index; a filter it cannot answer orders every match."""
    stamp, sharing = busiest_stamp(hubspot)
    ms = str(_ms(stamp))
    after_tie = [
        [{"propertyName": "lastmodifieddate", "operator": "GT", "value": ms}],
        [
            {"propertyName": "lastmodifieddate", "operator": "EQ", "value": ms},
            {"propertyName": "hs_object_id", "operator": "GT", "value": sharing[len(sharing) // 2]},
        ],
    ]
    everyone = [[since_epoch()]]
    for groups in (everyone, after_tie):
        sort = [{"propertyName": "lastmodifieddate", "direction": direction}]
        indexed = {"filterGroups": [{"filters": g} for g in groups], "sorts": sort}
        checked = [[*g, {"propertyName": "hs_object_id", "operator": "HAS_PROPERTY"}] for g in groups]
        scanned = {"filterGroups": [{"filters": g} for g in checked], "sorts": sort}
        assert every_page(hubspot.store, indexed, 37) == every_page(hubspot.store, scanned, 200)


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_a_deleted_contact_is_listed_archived_for_90_days_then_no_more():
    clock = ManualClock(NOW)
    with HubSpotSandbox(people=60, seed=7, clock=clock, rate_limits=False) as sandbox:
        api = sandbox.client().crm.contacts.basic_api
        deleted = sandbox.store.ids()[:3]
        archived_at = clock.advance(minutes=5)
        for contact_id in deleted:
            sandbox.store.archive("contacts", contact_id)
        first = body(
            api.get_page(archived=True, limit=2, properties=["hs_object_id"], _preload_content=False)
        )
        after = first["paging"]["next"]["after"]
        assert first["paging"]["next"]["link"].endswith(f"after={after}")
        rest = body(api.get_page(archived=True, limit=2, after=after, _preload_content=False))
        listed = [*first["results"], *rest["results"]]
        assert "paging" not in rest
        assert [r["id"] for r in listed] == deleted
        assert {(r["archived"], r["archivedAt"]) for r in listed} == {
            (True, archived_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
        }
        live = body(api.get_page(limit=100, _preload_content=False))
        assert {r["archived"] for r in live["results"]} == {False}
        assert not {r["id"] for r in live["results"]} & set(deleted)
        clock.advance(days=89, hours=23, minutes=59)
        assert len(body(api.get_page(archived=True, _preload_content=False))["results"]) == 3
        clock.advance(minutes=1)  # 90 days after: deleted for good
        assert body(api.get_page(archived=True, _preload_content=False))["results"] == []


def test_a_list_page_takes_at_most_100(hubspot):
    api = hubspot.client().crm.contacts.basic_api
    assert len(body(api.get_page(_preload_content=False))["results"]) == 10  # the spec's default
    assert len(body(api.get_page(limit=100, _preload_content=False))["results"]) == 100
    with pytest.raises(ApiException) as raised:
        api.get_page(limit=101)
    assert raised.value.status == 400
