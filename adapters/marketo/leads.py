"""Leads by id: `GET /rest/v1/leads.json?filterType=id&filterValues=` (≤ 300 a call), with `fields=`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from .client import MarketoClient, Row

__all__ = ["IDS_PER_CALL", "by_ids"]

IDS_PER_CALL: Final = 300  # "up to 300 filterValues"


def by_ids(client: MarketoClient, ids: Sequence[str], fields: Iterable[str]) -> list[Row]:
    """These leads (deleted ones left out), `fields` of each, 300 a call."""
    names = ",".join(sorted({"id", "updatedAt", *fields}))
    found: list[Row] = []
    for n in range(0, len(ids), IDS_PER_CALL):
        params = {"filterType": "id", "filterValues": ",".join(ids[n : n + IDS_PER_CALL]), "fields": names}
        found += client.call("leads by id", "GET", "/rest/v1/leads.json", params=params).get("result") or ()
    return found
