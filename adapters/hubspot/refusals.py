"""`check()`'s probe of the optional activity APIs: which ones the portal refuses (403), as problems.

One call each, `limit=1`, for the APIs the mapping reads (the kit's `refusal_problems`): the
events API (page views, form submissions; Enterprise only, api-notes "Corrections, 2026-12"),
marketing e-mail events and marketing events (scopes). The sync skips refused streams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from hubspot import HubSpot

from leadsync.adapter_api import AdapterContext, Problem, StreamUnavailable
from leadsync.kit import refusal_problems

from .activities import OPTIONAL
from .activity_streams import email_events_page
from .transport import Transport
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
    probes: dict[str, Callable[[], object]] = {
        "events": lambda: probe_events(client, transport),
        "email": lambda: email_events_page(client, transport, [("limit", 1)]),
        "marketing": lambda: transport.call(
            "marketing-events list", client.marketing.events.basic_api.get_all, limit=1
        ),
    }
    return refusal_problems(context.mapping, _API_OF, probes, _words)


def _words(stream: str, refusal: StreamUnavailable) -> tuple[str, str]:
    message = (
        f"{OPTIONAL[stream]} answered 403 {refusal.code or 'Forbidden'} "
        f"({refusal.detail or 'no message'}); each cycle skips {stream} with a warning"
        + (" and reads them from contact property history instead" if _API_OF[stream] == "events" else "")
    )
    return message, _HINT.format(stream=stream)
