"""The segments of the seeded population: how old each person's record is, what they did, what a rep asked.

A marketing database is long-tailed: most records are silent (list imports, event badge scans,
purchased lists), lapsed or stale; a few per cent show a buying signal; a small engaged middle
and a few content collectors sit between. Each segment draws its activities from its own mix
of kinds, recent ones more often than old ones.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["BUYING_SIGNALS", "SEGMENTS", "Segment", "history", "qualification"]

BUYING_SIGNALS: Mapping[str, int] = {  # kind → weight among a buyer's signals
    "demo_request": 30, "contact_request": 20, "price_list_download": 15, "documentation_request": 12,
    "quote_request": 10, "meeting_booked": 8, "meeting_held": 5,
}  # fmt: skip
_TOP_OF_FUNNEL: Mapping[str, int] = {
    "page_view": 30, "email_open": 30, "email_click": 12, "whitepaper_download": 6, "newsletter_signup": 5,
    "webinar_registered": 5, "social_engagement": 4, "form_submit": 4, "event_registration": 3,
}  # fmt: skip
_ENGAGED: Mapping[str, int] = {
    "product_page_view": 20, "page_view": 15, "email_open": 12, "email_click": 10, "webinar_attended": 8,
    "pricing_page_view": 3, "webinar_registered": 6, "case_study_download": 6, "whitepaper_download": 5,
    "form_submit": 3, "call": 3, "event_registration": 2,
}  # fmt: skip
_MIDDLE: Mapping[str, int] = {  # the engaged middle: several qualified interactions, rarely pricing
    "product_page_view": 30, "webinar_attended": 12, "case_study_download": 8, "page_view": 15,
    "email_open": 15, "email_click": 10, "webinar_registered": 6, "pricing_page_view": 2, "call": 2,
}  # fmt: skip
_COLLECTOR: Mapping[str, int] = {
    "whitepaper_download": 25, "page_view": 25, "email_open": 20, "email_click": 15, "webinar_registered": 6,
    "newsletter_signup": 3, "social_engagement": 3,
}  # fmt: skip
_NEGATIVES = (("unsubscribe", 0.015), ("hard_bounce", 0.01))  # (kind, share of people)
_BANT = ("budget", "authority", "need", "timing")
_LISTS = ("Purchased List", "Purchased List", "Event", "Event")  # imports and badge scans


@dataclass(frozen=True, slots=True)
class Segment:
    """One kind of person in the database and the share of people it holds."""

    name: str
    share: float
    created_days: tuple[int, int]  # the record was created this many days before now
    activities: tuple[int, int]  # how many activities, both ends included
    days_ago: tuple[int, int]  # when they happened, in days before now
    mix: Mapping[str, int]  # kind → weight
    qualified: float  # the chance a rep recorded qualification answers
    signals: tuple[int, int] = (0, 0)  # how many buying signals
    signal_days: tuple[int, int] = (0, 0)  # when, in days before now
    sources: tuple[str, ...] = ()  # drawn before the general sources (as many times as listed)


SEGMENTS: tuple[Segment, ...] = (
    Segment("silent", 0.395, (1, 720), (0, 0), (0, 0), _TOP_OF_FUNNEL, 0.005, sources=_LISTS),
    Segment("lapsed", 0.12, (181, 900), (1, 4), (91, 180), _TOP_OF_FUNNEL, 0.01),
    Segment("stale", 0.10, (730, 2190), (0, 3), (366, 1100), _TOP_OF_FUNNEL, 0.02, sources=_LISTS),
    Segment("light", 0.17, (1, 720), (1, 3), (0, 180), _TOP_OF_FUNNEL, 0.01),
    Segment("engaged", 0.16, (1, 720), (4, 8), (0, 40), _MIDDLE, 0.10),
    Segment("collector", 0.02, (30, 720), (15, 40), (0, 180), _COLLECTOR, 0.03),
    Segment("buyer", 0.025, (1, 720), (2, 10), (0, 180), _ENGAGED, 0.45, (1, 2), (0, 75)),
    Segment("recycled", 0.01, (181, 900), (2, 8), (91, 180), _ENGAGED, 0.30, (1, 1), (100, 180)),
)


def history(
    segment: Segment, rng: random.Random, now: datetime, created: datetime
) -> list[tuple[str, datetime]]:
    """(kind, when) of a person's activities, none before the record was created."""
    age = (now - created).total_seconds() / 86_400
    drawn = _drawn(rng, segment.mix, rng.randint(*segment.activities), segment.days_ago, age)
    signals = _drawn(rng, BUYING_SIGNALS, rng.randint(*segment.signals), segment.signal_days, age)
    negatives = [kind for kind, share in _NEGATIVES if rng.random() < share]
    last = max(segment.days_ago[1], segment.signal_days[1])
    drawn += _drawn(rng, dict.fromkeys(negatives, 1), len(negatives), (segment.days_ago[0], last), age)
    return [(kind, now - timedelta(days=days)) for kind, days in drawn + signals]


def qualification(segment: Segment, rng: random.Random) -> dict[str, bool]:
    """BANT answers a rep recorded, mostly incomplete: questions skipped, some answered no."""
    if rng.random() >= segment.qualified:
        return {}
    return {item: rng.random() < 0.8 for item in _BANT if rng.random() < 0.7}  # noqa: PLR2004


def _drawn(
    rng: random.Random, mix: Mapping[str, int], count: int, days_ago: tuple[int, int], age: float
) -> list[tuple[str, float]]:
    """`count` kinds from `mix`, each `days_ago` within the range and within the record's age."""
    newest, oldest = days_ago[0], min(days_ago[1], age)
    if count == 0 or newest >= oldest:
        return []
    kinds = rng.choices(tuple(mix), tuple(mix.values()), k=count)
    return [(kind, newest + (oldest - newest) * rng.random() ** 2) for kind in kinds]  # recent: more often
