"""Contact batch reads (`POST /crm/v3/objects/contacts/batch/read`): ≤ 100 inputs a call (api-notes)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from hubspot import HubSpot

from .transport import Transport

__all__ = ["BATCH", "batch_read"]

BATCH: Final = 100  # inputs per batch read or update (api-notes, "HubSpot CRM v3")


def batch_read(
    client: HubSpot,
    transport: Transport,
    ids: Sequence[str],
    body: Mapping[str, object],
    *,
    what: str = "contacts batch read",
    per_call: int = BATCH,
) -> Iterator[dict[str, Any]]:
    """Every result of batch reads of `ids` (`body`: the properties, `idProperty`…), `per_call` a call."""
    api = client.crm.contacts.batch_api
    for start in range(0, len(ids), per_call):
        inputs = {**body, "inputs": [{"id": i} for i in ids[start : start + per_call]]}
        answer = transport.call(what, api.read, batch_read_input_simple_public_object_id=inputs)
        yield from answer.body.get("results", [])
