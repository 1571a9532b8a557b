"""The seeded sales actions: the population's calls and meetings as `GET /api/v2/activities` shows them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from .paging import Row

__all__ = ["seeded_activities"]

MEETINGS: Final = {
    "call": ("call", True),
    "meeting_booked": ("meeting", False),
    "meeting_held": ("meeting", True),
}


def seeded_activities(people: Iterable[Any]) -> dict[int, Row]:
    """Each person's calls and meetings by id, in the v2 spec example's shape."""
    found: dict[int, Row] = {}
    for key, person in enumerate(people, start=1):
        for seen in person.activities:
            if seen.kind not in MEETINGS:
                continue  # web visits, forms, e-mail clicks: Pipedrive keeps no such activity
            kind, done = MEETINGS[seen.kind]
            at = seen.occurred_at.replace(microsecond=0)
            n = len(found) + 1
            found[n] = {
                "id": n, "subject": seen.detail, "type": kind, "owner_id": 1, "creator_user_id": 1,
                "is_deleted": False, "add_time": at, "update_time": at, "deal_id": None, "lead_id": None,
                "person_id": key, "org_id": None, "project_id": None, "due_date": at.date().isoformat(),
                "due_time": at.strftime("%H:%M:%S"), "duration": "01:00:00", "busy": True, "done": done,
                "marked_as_done_time": at if done else None, "location": None,
                "participants": [{"person_id": key, "primary": True}], "conference_meeting_client": None,
                "conference_meeting_url": None, "conference_meeting_id": None, "public_description": None,
                "priority": None, "note": None,
            }  # fmt: skip
    return found
