"""Desired versus current CRM values → the fewest writes (a dry run prints them)."""

from __future__ import annotations

from collections.abc import Mapping

from leadsync.adapter_api import Change, ManagedValues
from leadsync.model import RecordRef

__all__ = ["plan_changes"]


def plan_changes(
    desired: Mapping[RecordRef, ManagedValues], current: Mapping[RecordRef, ManagedValues]
) -> list[Change]:
    """The fewest writes that reach `desired`: a value the CRM already holds costs nothing.

    Our own writes read back in the next cycle (echoes) hold the desired values already, so
    they plan no write. Records come out in `desired`'s order; only differing values are sent.
    """
    changes = []
    for ref, values in desired.items():
        held = current.get(ref, {})
        differing = {name: value for name, value in values.items() if held.get(name) != value}
        if differing:
            changes.append(Change(ref, differing, {name: held.get(name) for name in differing}))
    return changes
