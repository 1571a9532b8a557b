"""HubSpot's URL paths and what each answers, over the store.

Paths are the ones hubspot-api-client 12.0.0 calls (its `*_api.py` modules), trailing
slashes included where it sends them (`/crm/v3/owners/`, `/events/v3/events/`,
`/marketing/v3/marketing-events/`); both forms
are served.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.routing import Map, Rule

from .batches import batch_answer
from .errors import HubSpotApiError, invalid_input, not_found
from .object_types import object_type_of
from .properties import property_json
from .store import HubSpotStore
from .subscriptions import unsubscribe_all

__all__ = ["ROUTES", "Call", "endpoint_name", "handle"]

ROUTES = Map(
    [
        Rule("/crm/v3/objects/<object_type>", methods=["GET"], endpoint="list"),
        Rule("/crm/v3/objects/<object_type>/search", methods=["POST"], endpoint="search"),
        Rule("/crm/v3/objects/<object_type>/batch/read", methods=["POST"], endpoint="batch/read"),
        Rule("/crm/v3/objects/<object_type>/batch/update", methods=["POST"], endpoint="batch/update"),
        Rule("/crm/v3/objects/<object_type>/<object_id>", methods=["GET", "PATCH"], endpoint="object"),
        Rule("/crm/v3/owners/", methods=["GET"], endpoint="owners"),
        Rule("/crm/v3/owners/<owner_id>", methods=["GET"], endpoint="owner"),
        Rule("/crm/v3/properties/<object_type>", methods=["GET"], endpoint="properties"),
        Rule("/crm/v3/properties/<object_type>/<name>", methods=["GET"], endpoint="property"),
        Rule(
            "/crm/v4/associations/<from_type>/<to_type>/batch/read", methods=["POST"], endpoint="associations"
        ),
        Rule("/events/v3/events/", methods=["GET"], endpoint="events"),
        Rule("/email/public/v1/events", methods=["GET"], endpoint="email events"),
        Rule("/marketing/v3/marketing-events/", methods=["GET"], endpoint="marketing-events list"),
        Rule(
            "/marketing/v3/marketing-events/participations/contacts/<contact>/breakdown",
            methods=["GET"],
            endpoint="participations by contact",
        ),
        Rule(
            "/marketing/v3/marketing-events/participations/<marketing_event_id>/breakdown",
            methods=["GET"],
            endpoint="participations by event",
        ),
        Rule(  # v4 and the date-versioned paths (2025-09, 2026-03…) take the same call
            "/communication-preferences/<any('v4', '2025-09', '2026-03', '2026-09'):version>"
            "/statuses/<subscriber>/unsubscribe-all",
            methods=["POST"],
            endpoint="unsubscribe-all",
        ),
    ],
    strict_slashes=False,
)
_NAMES = {
    "owner": "owners",
    "associations": "associations v4 batch/read",
    "participations by contact": "marketing-events participations",
    "participations by event": "marketing-events participations",
}


@dataclass(frozen=True, slots=True)
class Call:
    """One matched request: its route, path values, query arguments and body."""

    endpoint: str
    values: Mapping[str, str]
    method: str
    args: MultiDict[str, str]
    body: bytes
    base_url: str

    def json(self) -> object:
        """The request body as JSON, or the 400 HubSpot answers for a malformed one."""
        try:
            return json.loads(self.body or b"{}")
        except ValueError as exc:
            raise invalid_input(f"Invalid input JSON on line 1: {exc}") from None

    def flat_args(self) -> dict[str, str]:
        """The query arguments, first value of each."""
        return {key: self.args[key] for key in self.args}


def endpoint_name(endpoint: str, values: Mapping[str, str]) -> str:
    """The name calls are counted under, e.g. `contacts search`, `owners`, `properties contacts`."""
    if endpoint in ("list", "search", "batch/read", "batch/update", "object"):
        return f"{_plural(values['object_type'])} {endpoint}"
    if endpoint in ("properties", "property"):
        return f"properties {_plural(values['object_type'])}"
    return _NAMES.get(endpoint, endpoint)


def handle(store: HubSpotStore, call: Call) -> tuple[int, object]:
    """The status and body of the answer to a matched request."""
    return _HANDLERS[call.endpoint](store, call)


def _plural(name: str) -> str:
    try:
        return object_type_of(name)
    except HubSpotApiError:  # counted under the name as given; the handler answers the error
        return name


def _list(store: HubSpotStore, call: Call) -> tuple[int, object]:
    object_type = object_type_of(call.values["object_type"])
    return 200, store.list_page(object_type, call.flat_args(), _wanted(call), base_url=call.base_url)


def _search(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.search(object_type_of(call.values["object_type"]), call.json())


def _batch_read(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return store.read_batch(object_type_of(call.values["object_type"]), call.json())


def _batch_update(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return store.update_batch(object_type_of(call.values["object_type"]), call.json())


def _object(store: HubSpotStore, call: Call) -> tuple[int, object]:
    object_type, object_id = object_type_of(call.values["object_type"]), call.values["object_id"]
    if call.method == "PATCH":
        return 200, store.update_one(object_type, object_id, call.json())
    return 200, store.read_one(object_type, object_id, _wanted(call))


def _wanted(call: Call) -> list[str]:
    """The properties a GET asks for (`properties=a,b` or repeated)."""
    return [name for value in call.args.getlist("properties") for name in value.split(",") if name]


def _owners(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.owners_page(call.flat_args(), base_url=call.base_url)


def _owner(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.owner(call.values["owner_id"])


def _properties(store: HubSpotStore, call: Call) -> tuple[int, object]:
    definitions = store.properties(object_type_of(call.values["object_type"]))
    created = "2019-08-06T02:41:08.000Z"
    return 200, {"results": [property_json(d, created_at=created) for d in definitions.values()]}


def _property(store: HubSpotStore, call: Call) -> tuple[int, object]:
    object_type, name = object_type_of(call.values["object_type"]), call.values["name"]
    definition = store.properties(object_type).get(name)
    if definition is None:
        raise not_found(f"Unable to find property {name} for object type {object_type}")
    return 200, property_json(definition, created_at="2019-08-06T02:41:08.000Z")


def _associations(store: HubSpotStore, call: Call) -> tuple[int, object]:
    started = store.now_ms()
    results, errors = store.associations(call.values["from_type"], call.values["to_type"], call.json())
    return batch_answer(results, errors, started_ms=started, completed_ms=store.now_ms())


def _events(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.events_page(call.flat_args(), base_url=call.base_url)


def _email_events(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.email_events_page(call.flat_args())


def _marketing_events(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.marketing_events_page(call.flat_args(), base_url=call.base_url)


def _by_contact(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.participations_page(call.flat_args(), contact=call.values["contact"])


def _unsubscribe_all(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, unsubscribe_all(store, call.values["subscriber"], call.flat_args())


def _by_event(store: HubSpotStore, call: Call) -> tuple[int, object]:
    return 200, store.participations_page(
        call.flat_args(), marketing_event_id=call.values["marketing_event_id"]
    )


_HANDLERS: dict[str, Callable[[HubSpotStore, Call], tuple[int, Any]]] = {
    "list": _list,
    "search": _search,
    "batch/read": _batch_read,
    "batch/update": _batch_update,
    "object": _object,
    "owners": _owners,
    "owner": _owner,
    "properties": _properties,
    "property": _property,
    "associations": _associations,
    "events": _events,
    "email events": _email_events,
    "marketing-events list": _marketing_events,
    "participations by contact": _by_contact,
    "participations by event": _by_event,
    "unsubscribe-all": _unsubscribe_all,
}
