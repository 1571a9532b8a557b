"""The shared fake population as HubSpot holds it: contacts, engagements, links and activities.

Only people `in_hubspot` are here. Contact ids are numeric strings (`51 + 3 * key`), so the
same seed gives the same ids; a few contacts carry `hs_merged_object_ids`, the ids of
duplicates merged into them (`id + 1`, sometimes `id + 2`), which still answer as the
survivor. Seed values are kept as they are, dirty ones included (the e-mail's case and
spaces, a 360 kB job title, an unknown industry); HubSpot itself would have refused some
of them on an API write, but imports and old data hold such values too.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from leadsync.testing.seed import Population, SeedActivity, SeedPerson

from .activities import ActivityLog
from .activity_json import (
    EMAIL_TYPES,
    FORM_EVENT_TYPES,
    FORMS,
    MARKETING_EVENTS,
    NEW_EDITOR_FORMS,
    EmailEvent,
    Participation,
    WebEvent,
)
from .analytics import add_analytics
from .collection import Record
from .connector_ids import connector_ids
from .owners import owner_records
from .properties import EMPLOYEE_RANGES, LIFECYCLE_STAGES
from .stamps import iso_ms, ms_of

__all__ = ["Seeded", "contact_id_of", "seeded"]

COUNTRY_NAMES = {
    "FR": "France", "BE": "Belgium", "CH": "Switzerland", "DE": "Germany", "GB": "United Kingdom",
    "US": "United States", "CA": "Canada", "ES": "Spain", "IT": "Italy", "JP": "Japan", "BR": "Brazil",
}  # fmt: skip
SOURCE_OPTIONS = {
    "LinkedIn": "SOCIAL_MEDIA", "Display": "OTHER_CAMPAIGNS", "Organic": "ORGANIC_SEARCH",
    "Webinar": "OTHER_CAMPAIGNS", "Referral": "REFERRALS", "Event": "OFFLINE", "Paid Search": "PAID_SEARCH",
}  # fmt: skip
_STAGE_WEIGHTS = (30, 45, 15, 5, 3, 2, 0, 0)  # mostly subscriber, lead, marketingqualifiedlead
_LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "UNQUALIFIED",
    "BAD_TIMING",
)
_PAGE_KINDS = frozenset({"page_view", "product_page_view", "pricing_page_view"})
_STATES = {
    "webinar_registered": "REGISTERED",
    "webinar_attended": "ATTENDED",
    "event_registration": "REGISTERED",
}
_FORTNIGHT_MS = 14 * 24 * 3_600_000
_MEETING_MS = 30 * 60_000
_EMPLOYEE_BOUNDS = (5, 25, 50, 100, 500, 1000)  # upper bounds of EMPLOYEE_RANGES but the last


def contact_id_of(key: int) -> str:
    """The HubSpot id of a seed person's contact."""
    return str(51 + 3 * key)


@dataclass(slots=True)
class Seeded:
    """Everything a HubSpot sandbox starts with."""

    contacts: list[Record] = field(default_factory=list)
    meetings: list[Record] = field(default_factory=list)
    calls: list[Record] = field(default_factory=list)
    owners: list[dict[str, Any]] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # merged-away id → surviving contact id
    links: list[tuple[str, str, str, str]] = field(default_factory=list)  # (type, id, type, id)
    web: list[WebEvent] = field(default_factory=list)
    email: list[EmailEvent] = field(default_factory=list)
    participations: dict[tuple[str, int], Participation] = field(default_factory=dict)

    def activity_log(self) -> ActivityLog:
        """The seeded activities, indexed for the list endpoints."""
        return ActivityLog(self.web, self.email, self.participations.values())


def seeded(population: Population) -> Seeded:
    """HubSpot's records for a population (deterministic for its seed and `now`)."""
    rng = random.Random(f"hubspot-sandbox:{population.seed}")
    result = Seeded(owners=owner_records(population.owners, now=population.now))
    owner_ids = {o["email"]: o["id"] for o in result.owners}
    synced = connector_ids(population)
    for person in population.people:
        if person.in_hubspot:
            contact = _contact(person, owner_ids.get(person.owner or ""), rng, result.merged)
            contact.properties.update(synced.get(person.key, {}))
            result.contacts.append(contact)
            web_from, email_from = len(result.web), len(result.email)
            for activity in person.activities:
                _add_activity(result, contact, activity, rng, now_ms=ms_of(population.now))
            add_analytics(contact, result.web[web_from:], result.email[email_from:])
    return result


_LEAD_STAGES = frozenset({"subscriber", "lead"})


def _contact(person: SeedPerson, owner_id: str | None, rng: random.Random, merged: dict[str, str]) -> Record:
    contact_id = contact_id_of(person.key)
    created, modified = ms_of(person.created_at), ms_of(person.modified_at)
    stage = rng.choices(LIFECYCLE_STAGES, _STAGE_WEIGHTS)[0]
    status = rng.choice(_LEAD_STATUSES) if rng.random() < 0.4 else None  # noqa: PLR2004
    values = {
        "email": person.hubspot_email,
        "firstname": person.first_name,
        "lastname": person.last_name or None,
        "jobtitle": person.title,
        "company": person.company,
        "numemployees": _employee_range(person.employees),
        "industry": person.industry,
        "country": COUNTRY_NAMES.get(person.country, person.country),
        "hs_analytics_source": SOURCE_OPTIONS.get(person.source, "OFFLINE"),
        "createdate": iso_ms(created),
        "lastmodifieddate": iso_ms(modified),
        "lifecyclestage": stage,
        "hs_lead_status": status if stage in _LEAD_STAGES else None,  # the status tracks leads only
        "hubspot_owner_id": owner_id,
        "hubspotscore": str(min(100, 3 * len(person.activities))),
        "hs_object_id": contact_id,
        **{f"leadsync_bant_{item}": "true" if ok else "false" for item, ok in person.qualification.items()},
    }
    if rng.random() < 0.005:  # noqa: PLR2004 - a few duplicates were merged into this contact
        twins = [str(int(contact_id) + 1)] + ([str(int(contact_id) + 2)] if rng.random() < 0.3 else [])  # noqa: PLR2004
        merged.update(dict.fromkeys(twins, contact_id))
        values["hs_merged_object_ids"] = ";".join(twins)
    properties = {name: value for name, value in values.items() if value is not None}
    return Record(contact_id, properties, created_ms=created, modified_ms=modified)


def _employee_range(employees: int | None) -> str | None:
    return None if employees is None else EMPLOYEE_RANGES[bisect_left(_EMPLOYEE_BOUNDS, employees)]


def _add_activity(
    result: Seeded, contact: Record, activity: SeedActivity, rng: random.Random, *, now_ms: int
) -> None:
    kind, at = activity.kind, ms_of(activity.occurred_at)
    if kind in _PAGE_KINDS or kind in FORMS:
        seq = len(result.web)
        variants = range(len(FORM_EVENT_TYPES)) if kind in FORMS else range(1)
        variants = variants[1:] if kind in NEW_EDITOR_FORMS else variants
        result.web.extend(WebEvent(at, contact.id, kind, activity.detail, seq, v) for v in variants)
    elif kind in EMAIL_TYPES:
        recipient = contact.properties["email"].strip().lower()
        result.email.append(EmailEvent(at, contact.id, kind, recipient, len(result.email)))
    elif kind in ("meeting_booked", "meeting_held", "call"):
        _add_engagement(result, contact, kind, at, rng)
    elif kind in _STATES:
        _add_participation(result.participations, contact.id, kind, at, now_ms=now_ms)


def _add_engagement(result: Seeded, contact: Record, kind: str, at: int, rng: random.Random) -> None:
    name = f"{contact.properties.get('firstname', '')} {contact.properties.get('lastname', '')}".strip()
    when = iso_ms(at)
    stamps = {"hs_timestamp": when, "hs_createdate": when, "hs_lastmodifieddate": when}
    owner = contact.properties.get("hubspot_owner_id")
    if kind == "call":
        records, object_type, number = result.calls, "calls", 42_000_000_001 + len(result.calls)
        values = {
            "hs_call_title": f"Call with {name}",
            "hs_call_status": "COMPLETED",
            "hs_call_direction": "OUTBOUND",
            "hs_call_duration": str(rng.randint(60, 1_800) * 1_000),
        }
    else:
        records, object_type, number = result.meetings, "meetings", 41_000_000_001 + len(result.meetings)
        held = kind == "meeting_held"
        values = {
            "hs_meeting_title": f"{'Demo' if held else 'Discovery call'} with {name}",
            "hs_meeting_outcome": "COMPLETED" if held else "SCHEDULED",
            "hs_meeting_start_time": when,
            "hs_meeting_end_time": iso_ms(at + _MEETING_MS),
        }
    properties = {**stamps, **values, "hs_object_id": str(number)}
    if owner:
        properties["hubspot_owner_id"] = owner
    records.append(Record(str(number), properties, created_ms=at, modified_ms=at))
    result.links.append(("contacts", contact.id, object_type, str(number)))


def _add_participation(
    found: dict[tuple[str, int], Participation], contact_id: str, kind: str, at: int, *, now_ms: int
) -> None:
    webinars = [i for i, event in enumerate(MARKETING_EVENTS) if event[2] == "WEBINAR"]
    others = [i for i, event in enumerate(MARKETING_EVENTS) if event[2] != "WEBINAR"]
    pool = others if kind == "event_registration" else webinars
    event = pool[
        ((now_ms - at) // _FORTNIGHT_MS) % len(pool)
    ]  # one webinar a fortnight counted back from `now`: registration and attendance meet, whatever the date
    state = _STATES[kind]
    earlier = found.get((contact_id, event))
    if earlier is None:
        found[(contact_id, event)] = Participation(contact_id, event, state, at, at, len(found))
    elif state == "ATTENDED" or earlier.state != "ATTENDED":
        found[(contact_id, event)] = earlier._replace(state=state, occurred_ms=max(at, earlier.occurred_ms))
