"""The CRM properties each run set, in the CRM's own terms: what a rollback puts back exactly.

The audit log keeps model values (a stage, an owner's e-mail); one of them may be written to
several properties (`lifecyclestage` and `hs_lead_status`), and a raw value (a queue as owner,
an empty lead status) has no model value. This keeps each property's value before and after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import Engine, insert, select

from leadsync.model import RecordRef
from leadsync.store.entries import PropertyEntry
from leadsync.store.schema import audit_properties

__all__ = ["PropertyAudit"]


class PropertyAudit:
    """Every CRM property leadsync set (old → new raw value) under its run."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, entries: Iterable[PropertyEntry]) -> None:
        """Record these written properties."""
        rows = [
            {
                "run_id": e.run_id,
                "crm": e.ref.crm,
                "object_type": e.ref.object_type,
                "record_id": e.ref.record_id,
                "property": e.property,
                "old_value": e.old,
                "new_value": e.new,
                "at": e.at,
            }
            for e in entries
        ]
        if rows:
            with self._engine.begin() as conn:
                conn.execute(insert(audit_properties), rows)

    def overwritten_by(self, run_id: str) -> list[PropertyEntry]:
        """One entry per (record, property) the run set: `old` before its first write, `new` after."""
        query = (
            select(audit_properties)
            .where(audit_properties.c.run_id == run_id)
            .order_by(audit_properties.c.id)
        )
        net: dict[tuple[RecordRef, str], PropertyEntry] = {}
        with self._engine.connect() as conn:
            for row in conn.execute(query):
                entry = PropertyEntry(
                    row.run_id,
                    RecordRef(row.crm, row.object_type, row.record_id),
                    row.property,
                    row.old_value,
                    row.new_value,
                    row.at,
                )
                first = net.get((entry.ref, entry.property))
                net[entry.ref, entry.property] = (
                    entry if first is None else dataclasses.replace(first, new=entry.new)
                )
        return list(net.values())
