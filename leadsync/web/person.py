"""One person's `explain` view from the state store alone: the dashboard never calls a CRM."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from leadsync.definitions import Definitions
from leadsync.engine.deciding import Decider
from leadsync.engine.explaining import explain
from leadsync.model import RecordRef
from leadsync.store import Store
from leadsync.web.models import PersonOut

__all__ = ["person_out"]


def person_out(store: Store, definitions: Definitions, email: str, *, as_of: datetime) -> PersonOut | None:
    """The person with this e-mail as of `as_of`, or None if the store does not know them.

    What each record holds is what was last read from it. Without the CRMs, no owner is known
    to be inactive, so the owner shown is the one the definitions pick among all owners.
    """
    decider = Decider(
        definitions,
        as_of=as_of,
        writable=_writes_nothing,
        active_owners={},
        round_robin=store.round_robin.load(),
    )
    document = explain(store, decider, (), email)
    return None if document is None else PersonOut.model_validate(document)


def _writes_nothing(_ref: RecordRef, _values: Mapping[str, object]) -> dict[str, object]:
    return {}
