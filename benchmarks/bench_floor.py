"""The client floor: a sync's minimal calls issued by the unmodified clients against no-op servers.

A no-op server (the sandboxes' `LoopbackServer`, in a worker process: HTTPS for Salesforce,
HTTP for HubSpot, as the sandboxes) answers every call at once with a canned, minimal valid
body. Replaying a sync's calls through simple-salesforce and hubspot-api-client against it
times what those clients alone cost: the physical limit of a sync through them. Reads are
replayed as the sandboxes counted them; writes at the minimum, ceil(changed / batch), each
carrying a full batch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import requests
from hubspot import HubSpot
from simple_salesforce.api import Salesforce

from leadsync.testing.sandbox_server import LoopbackServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["NoopServers", "floor_s", "replayed_calls"]

_STAMP: Final = "2026-01-01T00:00:00.000Z"
_SF_WRITE: Final = "PATCH composite/sobjects"
_HS_WRITE: Final = "POST contacts batch/update"
_WRITES: Final = {"salesforce": _SF_WRITE, "hubspot": _HS_WRITE}
_PROPERTIES: Final = [
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "company",
    "lifecyclestage",
    "hs_lead_status",
]


def _canned(path: str) -> object:
    """The smallest valid answer to a call on `path`, for either CRM."""
    if "/query" in path:
        return {"totalSize": 0, "done": True, "records": []}
    if "/composite/sobjects" in path:
        return []
    if path.endswith("/search"):
        return {"total": 0, "results": []}
    if "/batch/" in path:
        return {"status": "COMPLETE", "results": [], "startedAt": _STAMP, "completedAt": _STAMP}
    if path.startswith("/email/public/v1/events"):
        return {"events": [], "hasMore": False}
    return {"results": []}


def _noop_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = json.dumps(_canned(environ.get("PATH_INFO", ""))).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class NoopServers:
    """Two no-op servers (HTTPS and HTTP) for a benchmark worker process."""

    def __init__(self) -> None:
        self.https = LoopbackServer(_noop_app, tls=True).start()
        self.http = LoopbackServer(_noop_app).start()

    def addresses(self) -> dict[str, str]:
        """The HTTPS URL and its CA bundle, and the HTTP URL."""
        return {"https": self.https.url, "ca_bundle": str(self.https.ca_bundle), "http": self.http.url}

    def close(self) -> None:
        """Stop both."""
        self.https.stop()
        self.http.stop()


def replayed_calls(calls: Mapping[str, int], *, writes_min: int, write: str) -> dict[str, int]:
    """A sync's calls per endpoint with its write calls brought down to the minimum."""
    replay = {endpoint: n for endpoint, n in calls.items() if endpoint != write}
    if writes_min:
        replay[write] = writes_min
    return replay


def floor_s(addresses: Mapping[str, str], calls: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Seconds each CRM's client takes to make `calls` (endpoint -> count) against the no-op servers."""
    session = requests.Session()
    session.trust_env = False
    session.verify = addresses["ca_bundle"]
    salesforce = Salesforce(
        instance_url=addresses["https"], session_id="00D!noop", session=session, version="59.0"
    )
    hubspot = HubSpot(access_token="pat-noop", host=addresses["http"])  # noqa: S106 - a dummy token
    issue: dict[str, Callable[[str], Callable[[], object]]] = {
        "salesforce": lambda endpoint: _salesforce_call(salesforce, endpoint),
        "hubspot": lambda endpoint: _hubspot_call(hubspot, endpoint),
    }
    spent: dict[str, float] = {}
    for crm, by_endpoint in calls.items():
        started = time.perf_counter()
        for endpoint, count in by_endpoint.items():
            call = issue[crm](endpoint)
            for _ in range(count):
                call()
        spent[crm] = time.perf_counter() - started
    return spent


def _salesforce_call(sf: Salesforce, endpoint: str) -> Callable[[], object]:
    if endpoint == _SF_WRITE:
        records = [
            {
                "attributes": {"type": "Lead"},
                "id": f"00Q{i:015d}",
                "LeadSync_Stage__c": "MQL",
                "Rating": "Warm",
            }
            for i in range(200)
        ]
        return lambda: sf.restful(
            "composite/sobjects", method="PATCH", json={"allOrNone": False, "records": records}
        )
    if endpoint == "GET query":
        return lambda: sf.query("SELECT Id, Email, SystemModstamp FROM Lead ORDER BY SystemModstamp, Id")
    return lambda: sf.restful("limits")


def _hubspot_call(client: HubSpot, endpoint: str) -> Callable[[], object]:
    """As the adapter's transport calls: the raw response (`_preload_content=False`), JSON parsed."""
    search: dict[str, Any] = {
        "filterGroups": [
            {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": _PROPERTIES,
        "limit": 200,
    }
    ids = [{"id": str(i)} for i in range(100)]
    updates = [
        {"id": i["id"], "properties": {"lifecyclestage": "lead", "hs_lead_status": "NEW"}} for i in ids
    ]
    contacts = client.crm.contacts
    calls: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
        "POST contacts search": (contacts.search_api.do_search, {"public_object_search_request": search}),
        "POST contacts batch/read": (
            contacts.batch_api.read,
            {"batch_read_input_simple_public_object_id": {"inputs": ids, "properties": _PROPERTIES}},
        ),
        _HS_WRITE: (
            contacts.batch_api.update,
            {"batch_input_simple_public_object_batch_input": {"inputs": updates}},
        ),
        "GET events": (client.events.events_api.get_page, {"object_type": "contact", "limit": 100}),
        "GET owners": (client.crm.owners.owners_api.get_page, {"limit": 100}),
    }
    if endpoint.endswith(" search") and endpoint not in calls:
        api = getattr(client.crm.objects, endpoint.split()[1]).search_api
        calls[endpoint] = (api.do_search, {"public_object_search_request": search})
    method, kwargs = calls.get(
        endpoint,
        (
            client.events.events_api.api_client.call_api,
            {
                "resource_path": "/noop",
                "method": "GET",
                "header_params": {"Accept": "application/json"},
                "auth_settings": ["oauth2"],
            },
        ),
    )
    return lambda: json.loads(method(**kwargs, _preload_content=False).data)
