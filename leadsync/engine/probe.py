"""`check --live --probe-writes N`: write N records' own values back to them, and report each refusal.

`check --live` proves that mapped fields exist; only a write shows what refuses one on a real
org or portal (validation rules, required fields, restricted picklists, triggers). The probe
writes the values a record already holds in the fields leadsync manages there, so nothing
changes but the records' modification stamps (and whatever automation a save runs).
"""

from __future__ import annotations

from collections.abc import Mapping

from leadsync.adapter_api import AdapterError, Change
from leadsync.connections import Connection
from leadsync.engine.reading import EPOCH
from leadsync.model import RecordRef
from leadsync.problems import Problem

__all__ = ["probe_writes"]

_FIX = (
    "the CRM refused the record's own values: change the rule, field or automation the message names "
    "(or exempt the integration user from it), then run the probe again"
)


def probe_writes(connection: Connection, records: int) -> tuple[int, list[Problem]]:
    """How many of the first `records` records were written back, and a problem for each refusal."""
    where = f"crm.{connection.name}"
    adapter = connection.adapter
    try:
        refs: list[RecordRef] = []
        for page in adapter.changed_people(EPOCH):  # the oldest records first, a page at a time
            refs += [person.ref for person in page.items][: records - len(refs)]
            if len(refs) >= records:
                break
        changes = [
            Change(current.ref, values)
            for current in adapter.read_current(refs)
            if (values := _own_values(connection, current.ref.object_type, current.values))
        ]
        results = list(adapter.apply(changes)) if changes else []
    except AdapterError as exc:
        return 0, [Problem(where, "probe-writes", f"the probe stopped: {exc}", "fix that, then run it again")]
    refused = [
        Problem(where, str(r.ref), f"a write of its own values was refused: {r.code}: {r.message}", _FIX)
        for r in results
        if not r.ok
    ]
    return len(results) - len(refused), refused


def _own_values(connection: Connection, object_type: str, held: Mapping[str, object]) -> dict[str, object]:
    """The managed values leadsync would write to this object, as the record holds them now.

    The owner is left out: a record may keep an owner who has left (an inactive user), whom
    leadsync refuses to write by design; that is the data's state, not the org's configuration.
    """
    writable = (name for name in connection.writable(object_type) if name != "owner")
    return {name: held[name] for name in writable if held.get(name) is not None}
