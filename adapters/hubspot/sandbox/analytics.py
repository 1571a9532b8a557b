"""A contact's analytics properties (every tier has them), derived from its seeded activities.

Names and types as HubSpot's properties API lists them (docs/hubspot-tiers.md). Counters and
last values agree with the events the sandbox serves on `/events/v3/events` and
`/email/public/v1/events`: `hs_analytics_num_page_views` counts the page views,
`hs_analytics_num_visits` the sessions (views less than 30 minutes apart are one session, as
HubSpot's web analytics counts them), `num_conversion_events` the form submissions (each once,
whatever event types it shows as). `hs_analytics_last_url` and `recent_conversion_event_name`
keep one history entry per page view / submission, newest first, stamped when it happened,
with the page's URL / the form's title as value (sandbox choices: HubSpot stamps history when
its analytics processing sets the value, usually moments after; its conversion names may carry
more text than the form's title). `lastmodifieddate` is left as seeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .activity_json import FORMS, SITE, EmailEvent, WebEvent
from .collection import Record
from .stamps import iso_ms

__all__ = ["HISTORY_PROPERTIES", "add_analytics"]

HISTORY_PROPERTIES = ("hs_analytics_last_url", "recent_conversion_event_name")
_SESSION_GAP_MS = 30 * 60_000


def add_analytics(contact: Record, web: Sequence[WebEvent], email: Sequence[EmailEvent]) -> None:
    """Set the contact's analytics properties and their history from its own events."""
    pages = sorted((e for e in web if e.kind not in FORMS), key=lambda e: (e.occurred_ms, e.seq))
    forms = sorted({e.seq: e for e in web if e.kind in FORMS}.values(), key=lambda e: (e.occurred_ms, e.seq))
    values: dict[str, str] = {}
    if pages:
        sessions = [pages[0]] + [
            b for a, b in pairwise(pages) if b.occurred_ms - a.occurred_ms >= _SESSION_GAP_MS
        ]
        values.update(
            hs_analytics_num_page_views=str(len(pages)),
            hs_analytics_num_visits=str(len(sessions)),
            hs_analytics_last_visit_timestamp=iso_ms(sessions[-1].occurred_ms),
            hs_analytics_last_url=SITE + pages[-1].detail,
        )
        contact.history["hs_analytics_last_url"] = [(SITE + p.detail, p.occurred_ms) for p in reversed(pages)]
    if forms:
        titles = [FORMS[f.kind][0] for f in forms]
        values.update(
            num_conversion_events=str(len(forms)),
            num_unique_conversion_events=str(len(set(titles))),
            first_conversion_event_name=titles[0],
            first_conversion_date=iso_ms(forms[0].occurred_ms),
            recent_conversion_event_name=titles[-1],
            recent_conversion_date=iso_ms(forms[-1].occurred_ms),
        )
        contact.history["recent_conversion_event_name"] = [
            (title, f.occurred_ms) for title, f in zip(reversed(titles), reversed(forms), strict=True)
        ]
    seen = [e.occurred_ms for e in (*pages, *forms)]
    if seen:
        values["hs_analytics_last_timestamp"] = iso_ms(max(seen))
    for kind, name in (
        ("email_open", "hs_email_last_open_date"),
        ("email_click", "hs_email_last_click_date"),
    ):
        stamps = [e.created_ms for e in email if e.kind == kind]
        if stamps:
            values[name] = iso_ms(max(stamps))
    contact.properties.update(values)
