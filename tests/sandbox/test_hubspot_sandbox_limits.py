"""Rate limits, faults and call accounting of the HubSpot sandbox, on a clock the tests move."""

from __future__ import annotations

import json
import urllib.request

import pytest
from hubspot.crm.contacts.exceptions import ApiException, ServiceException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from urllib3 import Retry

from adapters.hubspot.sandbox import HubSpotSandbox, RateLimits
from leadsync.clock import ManualClock
from leadsync.testing.sandbox_server import Fault
from tests.sandbox.hubspot_helpers import NOW, error_body, headers, search, since_epoch

# urllib3's default Retry(3) sleeps for a Retry-After on 429/503 and asks again: tests answer 429s themselves.
NO_RETRY = Retry(total=0, respect_retry_after_header=False)


def limited(clock, **limits):
    return HubSpotSandbox(people=40, seed=2, rate_limits=RateLimits(**limits), clock=clock)


def test_the_ten_second_window_answers_429_until_it_rolls_on():
    clock = ManualClock(NOW)
    with limited(clock, per_ten_seconds=3) as sandbox:
        owners = sandbox.client(retry=NO_RETRY).crm.owners.owners_api
        remaining = [
            headers(owners.get_page(_preload_content=False))["X-HubSpot-RateLimit-Remaining"]
            for _ in range(3)
        ]
        assert remaining == ["2", "1", "0"]
        with pytest.raises(OwnersApiException) as raised:
            owners.get_page()
        assert raised.value.status == 429
        assert "Retry-After" not in raised.value.headers
        assert error_body(raised.value) == {
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": error_body(raised.value)["correlationId"],
            "policyName": "TEN_SECONDLY_ROLLING",
        }
        clock.advance(9.9)
        with pytest.raises(OwnersApiException):
            owners.get_page()
        clock.advance(0.2)
        answer = headers(owners.get_page(_preload_content=False))
        assert answer["X-HubSpot-RateLimit-Max"] == "3"
        assert answer["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert int(answer["X-HubSpot-RateLimit-Daily-Remaining"]) < int(answer["X-HubSpot-RateLimit-Daily"])


def test_retry_after_only_when_asked_for():
    clock = ManualClock(NOW)
    with limited(clock, per_ten_seconds=2, retry_after=True) as sandbox:
        owners = sandbox.client(retry=NO_RETRY).crm.owners.owners_api
        owners.get_page()
        clock.advance(3)
        owners.get_page()
        with pytest.raises(OwnersApiException) as raised:
            owners.get_page()
        assert raised.value.headers["Retry-After"] == "7"  # the first call leaves the window in 7 s


def test_search_has_its_own_limit_per_second_and_no_rate_headers():
    clock = ManualClock(NOW)
    with limited(clock, search_per_second=2, per_ten_seconds=1) as sandbox:
        api = sandbox.client(retry=NO_RETRY).crm.contacts.search_api
        for _ in range(2):
            answer = headers(
                api.do_search(
                    public_object_search_request=search([since_epoch()], limit=1), _preload_content=False
                )
            )
            assert not [h for h in answer if h.lower().startswith("x-hubspot-ratelimit")]
        with pytest.raises(ApiException) as raised:
            api.do_search(public_object_search_request=search([since_epoch()], limit=1))
        assert raised.value.status == 429
        assert error_body(raised.value)["policyName"] == "SECONDLY"
        sandbox.client(
            retry=NO_RETRY
        ).crm.owners.owners_api.get_page()  # search is exempt from the ten-second window
        clock.advance(1)
        assert api.do_search(public_object_search_request=search([since_epoch()], limit=1)).total


def test_faults_in_hubspot_dialect():
    waits = []
    with HubSpotSandbox(
        people=40, seed=2, clock=ManualClock(NOW), rate_limits=False, sleep=waits.append
    ) as sandbox:
        owners = sandbox.client(retry=NO_RETRY).crm.owners.owners_api
        sandbox.faults.push(Fault("rate_limit", path="/crm/v3/owners", headers={"Retry-After": "2"}))
        with pytest.raises(OwnersApiException) as raised:
            owners.get_page()
        assert raised.value.status == 429
        assert raised.value.headers["Retry-After"] == "2"
        assert error_body(raised.value)["policyName"] == "TEN_SECONDLY_ROLLING"
        sandbox.faults.push(Fault("rate_limit", headers={"policyName": "SECONDLY"}))
        with pytest.raises(OwnersApiException) as raised:
            owners.get_page()
        assert error_body(raised.value)["policyName"] == "SECONDLY"
        assert "Retry-After" not in raised.value.headers
        sandbox.faults.push(Fault("server_error_503"))
        contacts = sandbox.client(retry=NO_RETRY).crm.contacts.basic_api
        with pytest.raises(ServiceException) as failed:
            contacts.get_by_id(sandbox.store.ids()[0])
        assert failed.value.status == 503
        assert error_body(failed.value)["status"] == "error"
        sandbox.faults.push(Fault("timeout", delay_s=30))
        assert contacts.get_by_id(sandbox.store.ids()[0]).id == sandbox.store.ids()[0]
        assert waits == [30]


def test_calls_are_counted_per_endpoint_and_the_stats_are_free():
    with HubSpotSandbox(people=40, seed=2, clock=ManualClock(NOW), rate_limits=False) as sandbox:
        client = sandbox.client(retry=NO_RETRY)
        client.crm.contacts.search_api.do_search(
            public_object_search_request=search([since_epoch()], limit=1)
        )
        client.crm.owners.owners_api.get_page()
        client.crm.properties.core_api.get_all(object_type="contacts")
        for _ in range(2):
            with urllib.request.urlopen(f"{sandbox.url}/__sandbox__/stats") as answer:  # noqa: S310 - loopback
                stats = json.load(answer)
        assert stats == {"GET owners": 1, "GET properties contacts": 1, "POST contacts search": 1}
        assert sandbox.calls.count(endpoint="contacts search") == 1
