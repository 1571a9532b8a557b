"""Small builders for definitions tests: people, activities, a fixed `as_of`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from leadsync.definitions import load_definitions
from leadsync.model import Activity, Person, RecordRef

AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DEFAULTS = load_definitions()
_ids = count()


def person(email: str = "jane.doe@acme.example", **fields: Any) -> Person:
    return Person(RecordRef("crm", "Lead", f"p{next(_ids)}"), email, **fields)


def act(kind: str, days_ago: float = 0, *, who: Person | None = None) -> Activity:
    ref = who.ref if who else RecordRef("crm", "Lead", "p")
    return Activity(RecordRef("crm", "Task", f"a{next(_ids)}"), ref, kind, AS_OF - timedelta(days=days_ago))  # type: ignore[arg-type]
