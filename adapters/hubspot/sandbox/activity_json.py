"""How HubSpot writes each kind of seeded activity: web events, email events, participations.

Web events follow `/events/v3/events` (`{id, eventType, occurredAt, objectType, objectId,
properties}`), email events the legacy `/email/public/v1/events` (`created` in epoch ms;
unsubscribes are STATUSCHANGE events, bounces BOUNCE with a `category`), participations
the marketing-events breakdown (`associations.marketingEvent/contact`,
`properties.attendanceState`), marketing events the v3 list (`GET /marketing/v3/marketing-events/`,
`MarketingEventPublicReadResponseV2`). Property names inside web events (`hs_url`,
`hs_page_title`, `hs_form_title`, `hs_form_id`) are HubSpot's as best known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .stamps import iso_ms

__all__ = [
    "EMAIL_TYPES",
    "FORMS",
    "FORM_EVENT_TYPES",
    "MARKETING_EVENTS",
    "NEW_EDITOR_FORMS",
    "SITE",
    "EmailEvent",
    "Participation",
    "WebEvent",
    "email_event_json",
    "marketing_event_id",
    "marketing_event_json",
    "participation_json",
    "web_event_json",
]

SITE = "https://www.leadsync-demo.example"
PAGE_TITLES = {
    "/": "Leadsync — lead sync for Salesforce and HubSpot",
    "/pricing": "Pricing",
    "/pricing/enterprise": "Enterprise pricing",
    "/product": "Product overview",
}
FORMS: Mapping[str, tuple[str, str]] = {  # seed kind → (form title, page it is on)
    "form_submit": ("Contact us", "/contact"),
    "demo_request": ("Request a demo", "/demo"),
    "quote_request": ("Demande de devis", "/fr/devis"),
    "contact_request": ("Contact sales", "/contact-sales"),
    "documentation_request": ("Request technical documentation", "/resources/technical-documentation"),
    "price_list_download": ("Download the price list", "/resources/price-list"),
    "case_study_download": ("Download a case study", "/customers/case-studies"),
    "whitepaper_download": ("White paper: Lead scoring that sales trusts", "/resources/lead-scoring"),
    "newsletter_signup": ("Newsletter", "/blog"),
}
FORM_EVENT_TYPES = ("e_submitted_form", "e_form_submission_v2", "e_form_submission_metadata_v2")
"""One form submission shows as several of these (api-notes, "Corrections, 2026-12", events API:
the three are seen together in public scripts). Which types a form emits and which properties
each carries is not recorded anywhere we found: here the newsletter form (`NEW_EDITOR_FORMS`)
emits only the two v2 types, the others all three; the metadata event carries the form id only."""
NEW_EDITOR_FORMS = frozenset({"newsletter_signup"})
EMAIL_TYPES: Mapping[str, str] = {
    "email_open": "OPEN",
    "email_click": "CLICK",
    "unsubscribe": "STATUSCHANGE",
    "hard_bounce": "BOUNCE",
}
MARKETING_EVENTS: tuple[tuple[str, str, str], ...] = (  # (externalEventId, name, eventType)
    ("webinar-scoring", "Webinar: Lead scoring that sales trusts", "WEBINAR"),
    ("webinar-handoff", "Webinar: The MQL to SQL hand-off", "WEBINAR"),
    ("webinar-hubspot-sf", "Webinar: HubSpot and Salesforce, one funnel", "WEBINAR"),
    ("webinar-fr-pipeline", "Webinaire : piloter son pipeline", "WEBINAR"),
    ("event-saastr", "Leadsync at SaaS Connect Paris", "CONFERENCE"),
    ("event-roadshow", "Revenue Ops roadshow", "CONFERENCE"),
)
EXTERNAL_ACCOUNT = "leadsync-demo"
_FIRST_EVENT_ID = 55_000_001
_HOUR_MS = 3_600_000
_WEEK_MS = 7 * 24 * _HOUR_MS
_APP = {"appId": 113, "appName": "Batch"}


class WebEvent(NamedTuple):
    """A page view or form submission of a contact."""

    occurred_ms: int
    contact_id: str
    kind: str  # the seed's activity kind
    detail: str  # the page path for page views
    seq: int
    variant: int = 0  # which of a form submission's event types (FORM_EVENT_TYPES) this one is


class EmailEvent(NamedTuple):
    """A marketing e-mail event of a recipient."""

    created_ms: int
    contact_id: str
    kind: str
    recipient: str
    seq: int


class Participation(NamedTuple):
    """A contact's participation in one marketing event (webinar or conference)."""

    contact_id: str
    event: int  # index into MARKETING_EVENTS
    state: str  # REGISTERED, ATTENDED or CANCELLED
    created_ms: int
    occurred_ms: int
    seq: int


def event_uuid(namespace: int, seq: int) -> str:
    """A stable, uuid-shaped id for the `seq`th item of a kind."""
    digits = f"{(namespace << 96) | seq:032x}"  # as str(uuid.UUID(int=...)) writes it, without building one
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def web_event_json(event: WebEvent) -> dict[str, Any]:
    """The event as `/events/v3/events` returns it."""
    if event.kind in FORMS:
        title, path = FORMS[event.kind]
        event_type = FORM_EVENT_TYPES[event.variant]
        properties = {"hs_url": SITE + path, "hs_form_title": title, "hs_form_id": event_uuid(7, len(title))}
        if event.variant == len(FORM_EVENT_TYPES) - 1:  # the metadata event: the form's id only
            properties = {"hs_form_id": properties["hs_form_id"]}
    else:
        event_type = "e_visited_page"
        title = PAGE_TITLES.get(event.detail, event.detail.rsplit("/", 1)[-1].replace("-", " ").capitalize())
        properties = {"hs_url": SITE + event.detail, "hs_page_title": title}
    return {
        "objectType": "CONTACT",
        "objectId": event.contact_id,
        "eventType": event_type,
        "occurredAt": iso_ms(event.occurred_ms),
        "id": event_uuid(1 + 16 * event.variant, event.seq),
        "properties": properties,
    }


def web_event_type(event: WebEvent) -> str:
    """One of FORM_EVENT_TYPES, or `e_visited_page`."""
    return FORM_EVENT_TYPES[event.variant] if event.kind in FORMS else "e_visited_page"


def email_event_json(event: EmailEvent, *, portal_id: int) -> dict[str, Any]:
    """The event as the legacy email events API returns it."""
    answer: dict[str, Any] = {
        "id": event_uuid(2, event.seq),
        "created": event.created_ms,
        "type": EMAIL_TYPES[event.kind],
        "recipient": event.recipient,
        "portalId": portal_id,
        **_APP,
        "emailCampaignId": 310_000_000 + event.seq % 12,
        "sentBy": {"id": event_uuid(3, event.seq % 12), "created": event.created_ms - 3_600_000},
        "filteredEvent": False,
    }
    if event.kind == "email_click":
        answer["url"] = SITE + "/blog/lead-scoring-101"
    elif event.kind == "hard_bounce":
        answer.update(category="UNKNOWN_USER", status="5.1.1", response="550 5.1.1 user unknown")
    elif event.kind == "unsubscribe":
        answer.update(
            source="SOURCE_RECIPIENT",
            subscriptions=[{"id": 6_021_001, "status": "UNSUBSCRIBED"}],
            portalSubscriptionStatus="UNSUBSCRIBED",
        )
    else:
        answer["deviceType"] = "COMPUTER"
    return answer


def marketing_event_id(event: int) -> str:
    """The HubSpot id (`objectId`, the participations API's `marketingEventId`) of a seeded event."""
    return str(_FIRST_EVENT_ID + event)


def marketing_event_json(event: int, participations: Sequence[Participation]) -> dict[str, Any]:
    """The event as `GET /marketing/v3/marketing-events/` lists it; dates and counts from its participations.

    It runs from its first participation to an hour after its last (the seed repeats each
    webinar fortnightly under one event), was created a week before and updated at its last one.
    """
    external_id, name, event_type = MARKETING_EVENTS[event]
    first = min((p.created_ms for p in participations), default=0)
    last = max((p.occurred_ms for p in participations), default=first)
    states = [p.state for p in participations]
    return {
        "objectId": marketing_event_id(event),
        "eventName": name,
        "eventType": event_type,
        "externalEventId": external_id,
        "eventOrganizer": "Leadsync",
        "eventDescription": name,
        "eventUrl": f"{SITE}/events/{external_id}",
        "startDateTime": iso_ms(first),
        "endDateTime": iso_ms(last + _HOUR_MS),
        "eventCancelled": False,
        "eventCompleted": True,
        "registrants": len(states),
        "attendees": states.count("ATTENDED"),
        "cancellations": states.count("CANCELLED"),
        "noShows": states.count("REGISTERED"),
        "customProperties": [],
        "appInfo": {"id": str(_APP["appId"]), "name": str(_APP["appName"])},
        "createdAt": iso_ms(first - _WEEK_MS),
        "updatedAt": iso_ms(last),
    }


def participation_json(item: Participation, contact: Mapping[str, str | None]) -> dict[str, Any]:
    """The participation as the marketing-events breakdown returns it."""
    external_id, name, _ = MARKETING_EVENTS[item.event]
    properties: dict[str, Any] = {"attendanceState": item.state, "occurredAt": item.occurred_ms}
    if item.state == "ATTENDED":
        properties.update(attendanceDurationSeconds=2_700, attendancePercentage="75")
    return {
        "id": str(880_000_000 + item.seq),
        "createdAt": iso_ms(item.created_ms),
        "associations": {
            "marketingEvent": {
                "marketingEventId": marketing_event_id(item.event),
                "externalEventId": external_id,
                "externalAccountId": EXTERNAL_ACCOUNT,
                "name": name,
            },
            "contact": {
                "contactId": item.contact_id,
                "firstname": contact.get("firstname"),
                "lastname": contact.get("lastname"),
                "email": contact.get("email"),
            },
        },
        "properties": properties,
    }
