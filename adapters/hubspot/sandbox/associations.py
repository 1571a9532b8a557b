"""Associations between records and `POST /crm/v4/associations/{from}/{to}/batch/read`.

A record without associations of the asked type is a per-input error in a 207, category
OBJECT_NOT_FOUND, subCategory `crm.associations.NO_ASSOCIATIONS_FOUND`, context
fromObjectId / fromObjectType / toObjectType (shape quoted from real responses in public
code). Type ids are HubSpot's defaults: contact→call 193, call→contact 194, contact→email
197, email→contact 198, contact→meeting 199, meeting→contact 200.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from .errors import BatchError, invalid_input
from .object_types import singular

__all__ = ["MAX_INPUTS", "Associations"]

_TYPE_IDS = {
    ("contacts", "calls"): 193,
    ("calls", "contacts"): 194,
    ("contacts", "emails"): 197,
    ("emails", "contacts"): 198,
    ("contacts", "meetings"): 199,
    ("meetings", "contacts"): 200,
}
MAX_INPUTS = 1_000
"""Batch read inputs: HubSpot developer changelog, "Bug Fix: Batch Read Limit for HubSpot Associations
API" (v3 and v4, from 2025-02-10: larger requests "will be rejected with an error response"; the 400
and its message here are the sandbox's own)."""


class Associations:
    """Links between records, both directions; not locked (the store is)."""

    def __init__(self) -> None:
        self._links: defaultdict[tuple[str, str], defaultdict[str, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def link(self, a_type: str, a_id: str, b_type: str, b_id: str) -> None:
        """Associate two records (HubSpot keeps an association readable from both ends)."""
        self._links[(a_type, b_type)][a_id].append(b_id)
        self._links[(b_type, a_type)][b_id].append(a_id)

    def linked(self, from_type: str, from_id: str, to_type: str) -> list[str]:
        """The ids of `to_type` records associated with a record."""
        return list(self._links[(from_type, to_type)].get(from_id, ()))

    def move(self, object_type: str, old_id: str, new_id: str) -> None:
        """Give `new_id` every association of `old_id` (a merge)."""
        for (a_type, b_type), links in list(self._links.items()):
            if a_type == object_type and old_id in links:
                for other in links.pop(old_id):
                    self.link(object_type, new_id, b_type, other)
            elif b_type == object_type:
                for targets in links.values():
                    targets[:] = [new_id if t == old_id else t for t in targets]

    def batch_read(
        self, from_type: str, to_type: str, body: object
    ) -> tuple[list[dict[str, Any]], list[BatchError]]:
        """Results and per-input errors of a v4 batch read."""
        inputs = body.get("inputs") if isinstance(body, Mapping) else None
        if not isinstance(inputs, list):
            raise invalid_input("Invalid input JSON: inputs must be a list")
        if len(inputs) > MAX_INPUTS:
            raise invalid_input(f"Too many inputs ({len(inputs)}); the maximum is {MAX_INPUTS}")
        type_id = _TYPE_IDS.get((from_type, to_type))
        results, errors = [], []
        for item in inputs:
            from_id = str(item.get("id")) if isinstance(item, Mapping) else str(item)
            targets = self._links[(from_type, to_type)].get(from_id) if type_id is not None else None
            if not targets:
                errors.append(_none_found(from_type, from_id, to_type))
                continue
            kinds = [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]
            to = [{"toObjectId": int(t), "associationTypes": kinds} for t in targets]
            results.append({"from": {"id": from_id}, "to": to})
        return results, errors


def _none_found(from_type: str, from_id: str, to_type: str) -> BatchError:
    return BatchError(
        "OBJECT_NOT_FOUND",
        f"No {singular(to_type)} is associated with {singular(from_type)} {from_id}.",
        {
            "fromObjectId": [from_id],
            "fromObjectType": [singular(from_type)],
            "toObjectType": [singular(to_type)],
        },
        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
    )
