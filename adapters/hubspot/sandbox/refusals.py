"""Writes a test makes HubSpot refuse: chosen records, deleted options, unconfirmed records.

- `reject`: a write to a chosen record fails the whole batch with a 400 INVALID_OPTION whose
  message names no value (the sandbox's own text), so a client can only narrow it down.
- `remove_option`: an admin deleted an enumeration option; writing it is a 400 INVALID_OPTION
  whose message starts with the value, as HubSpot's do (`writes`).
- `fail_unnamed`: the record's write fails inside a 207 with an error naming no ids (`batches`).
Not locked: the store calls it under its lock.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import PropertyProblem

__all__ = ["Refusals"]


class Refusals:
    """The refusals tests asked for, and the problems they add to a write."""

    def __init__(self) -> None:
        self._rejected: dict[str, str | None] = {}  # record id -> the property to blame, if chosen
        self.unconfirmed: set[str] = set()
        self._removed: set[tuple[str, str]] = set()  # (property, option)

    def reject(self, object_ids: tuple[str, ...], property_name: str | None) -> None:
        """Refuse any write to these records."""
        self._rejected.update(dict.fromkeys(object_ids, property_name))

    def fail_unnamed(self, object_ids: tuple[str, ...]) -> None:
        """Leave writes to these records unconfirmed, behind an error naming no ids."""
        self.unconfirmed.update(object_ids)

    def remove_option(self, property_name: str, value: str) -> None:
        """Refuse this value of this property, for every record."""
        self._removed.add((property_name, value))

    def accept(self, object_ids: tuple[str, ...]) -> None:
        """Undo the refusals of these records, or every refusal when none are given."""
        for object_id in object_ids or (*self._rejected, *self.unconfirmed):
            self._rejected.pop(object_id, None)
            self.unconfirmed.discard(object_id)
        if not object_ids:
            self._removed.clear()

    def problems(
        self, object_id: str, values: Mapping[str, object], found: list[PropertyProblem]
    ) -> list[PropertyProblem]:
        """What these refusals add to the `found` problems of a write."""
        added = [
            PropertyProblem(name, "INVALID_OPTION", f"{value} was not one of the allowed options")
            for name, value in values.items()
            if (name, str(value)) in self._removed
        ]
        if object_id in self._rejected and not found and not added and values:
            name = self._rejected[object_id]
            name = name if name is not None and name in values else next(iter(values))
            message = f"Record {object_id} refuses this value: not one of the allowed options"
            added.append(PropertyProblem(name, "INVALID_OPTION", message))
        return added
