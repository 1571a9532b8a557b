"""`check()`'s probe of the optional activity APIs: which ones the portal refuses (403), as problems.

One call each, `limit=1`, for the APIs the mapping reads: the events API (page views, form
submissions; Enterprise only, api-notes "Corrections, 2026-12"), marketing e-mail events and
marketing events (scopes). A refusal is reported, not raised: the sync skips those streams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from hubspot import HubSpot

from leadsync.adapter_api import AdapterContext, AdapterError, Problem

from .activities import OPTIONAL
from .transport import ForbiddenError, Transport
from .web_events import probe_events

__all__ = ["refused_streams"]

_API_OF: Final = {
    "page_views": "events",
    "form_submissions": "events",
    "email_events": "email",
    "marketing_event_participations": "marketing",
}
_HINT: Final = (
    "grant the private app the scopes HubSpot names, upgrade the portal (the events API needs "
    "Enterprise), or remove [activities.{stream}] from the mapping"
)


def refused_streams(context: AdapterContext, client: HubSpot, transport: Transport) -> list[Problem]:
    """A problem for each mapped optional stream whose API answers 403 (one call per API)."""
    events = client.events.events_api
    probes: dict[str, Callable[[], object]] = {
        "events": lambda: probe_events(client, transport),
        "email": lambda: transport.call(
            "email events",
            events.api_client.call_api,
            resource_path="/email/public/v1/events",
            method="GET",
            query_params=[("limit", 1)],
            header_params={"Accept": "application/json"},
            auth_settings=["oauth2"],
        ),
        "marketing": lambda: transport.call(
            "marketing-events list", client.marketing.events.basic_api.get_all, limit=1
        ),
    }
    answers: dict[str, ForbiddenError | None] = {}
    problems: list[Problem] = []
    for stream in (s for s in OPTIONAL if s in context.mapping.activities):
        api = _API_OF[stream]
        if api not in answers:
            answers[api] = _refusal(probes[api])
        refusal = answers[api]
        if refusal is not None:
            message = (
                f"{OPTIONAL[stream]} answered 403 {refusal.category or 'Forbidden'} "
                f"({refusal.detail or 'no message'}); each cycle skips {stream} with a warning"
                + (" and reads them from contact property history instead" if api == "events" else "")
            )
            hint = _HINT.format(stream=stream)
            problems.append(Problem(str(context.mapping.file), f"activities.{stream}", message, hint))
    return problems


def _refusal(probe: Callable[[], object]) -> ForbiddenError | None:
    try:
        probe()
    except ForbiddenError as exc:
        return exc
    except AdapterError:
        return None  # not a refusal: the read itself will say what is wrong
    return None
