"""The person read model: one person as the engine explains them — what `leadsync explain` prints
and the dashboard's Person page shows — and the person the demo explains."""

from __future__ import annotations

from typing import Any

from leadsync.engine import SyncEngine
from leadsync.store import Store

__all__ = ["featured_person", "person_view"]


def person_view(engine: SyncEngine, email: str) -> dict[str, Any] | None:
    """The engine's explanation of the person with this e-mail as of its clock, or None if the
    state store does not know them.

    What each record holds is read live from the engine's CRMs; an engine without CRMs (the
    dashboard's) shows what was last read, and knows no owner to be inactive.
    """
    return engine.explain(email)


def featured_person(store: Store) -> str | None:
    """The e-mail of the most active person with records in several CRMs, if anyone has some."""
    person = store.persons.most_active_in_several_crms()
    return None if person is None else store.links.email_of(person)
