"""One person's page and `/api/people/<email>`: the engine's explanation, as `leadsync explain` gives it."""

from __future__ import annotations

from leadsync.insights import person_view
from leadsync.web.context import Dashboard
from leadsync.web.models import PersonOut

__all__ = ["person_out"]


def person_out(dashboard: Dashboard, email: str) -> PersonOut | None:
    """The person with this e-mail as of the dashboard's clock, or None if the store does not know them.

    The dashboard's engine reaches no CRM: what each record holds is what was last read from it.
    """
    document = person_view(dashboard.engine, email)
    return None if document is None else PersonOut.model_validate(document)
