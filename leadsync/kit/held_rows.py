"""The rows of a stream read whole before its first row is emitted, held small until then.

E-mail events come newest first and participations have no time filter (see
`activity_streams`), so their rows are held for a whole read: memory grows with the window's
records. Each row keeps only the fields its mapping reads, packed as nested tuples (a tuple
costs a third of a dict of the same fields), with text other than ids shared between rows (an
event type, a recipient, an event's name repeat across a stream); the record is unpacked into
the dict it would have been when its row is emitted, and let go of then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

__all__ = ["HeldRows", "Keeper"]

_ID: Final = "id"  # unique per record: not worth sharing
_ABSENT: Final = object()  # a field the record does not have (JSON has no tuples: packed values are)

_Node = tuple[tuple[str, "_Node | None", bool], ...]
"""Per field name's head: the names inside it (None: its whole value is kept), and whether its
text is shared."""
_Held = tuple[int, str, tuple[Any, ...], str]  # (stamp, key, packed record, person)


class Keeper:
    """Packs the named fields of raw records (dotted names reach into nested objects) and unpacks them.

    A dotted name whose head holds no object keeps that head's whole value, as read.
    """

    __slots__ = ("_texts", "_tree")

    def __init__(self, fields: Iterable[str]) -> None:
        self._tree = _node(fields)
        self._texts: dict[str, str] = {}

    def packed(self, raw: Mapping[str, Any]) -> tuple[Any, ...]:
        """The fields of `raw` this keeper names, as a tuple `unpacked` reads."""
        return self._packed(raw, self._tree)

    def unpacked(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """The record `packed` made `values` of: only the named fields `raw` had."""
        return _unpacked(values, self._tree)

    def shared(self, text: str) -> str:
        """`text`, as the one copy this keeper holds of it."""
        return self._texts.setdefault(text, text)

    def _packed(self, raw: Mapping[str, Any], node: _Node) -> tuple[Any, ...]:
        texts = self._texts
        values: list[Any] = []
        for head, inner, share in node:
            value = raw.get(head, _ABSENT)
            if type(value) is str:
                if share:
                    value = texts.setdefault(value, value)
            elif inner is not None and isinstance(value, Mapping):
                value = self._packed(value, inner)
            values.append(value)
        return tuple(values)


class HeldRows:
    """Rows held until their stream is read whole; given back oldest first, each let go of then."""

    __slots__ = ("_keep", "_rows")

    def __init__(self, fields: Iterable[str]) -> None:
        self._keep = Keeper(fields)
        self._rows: list[_Held] = []

    def add(self, stamp_ms: int, key: str, raw: Mapping[str, Any], person: str) -> None:
        """Hold one record (its fields named at construction) at (stamp_ms, key), about `person`."""
        self._rows.append((stamp_ms, key, self._keep.packed(raw), self._keep.shared(person)))

    def people(self) -> list[str]:
        """Who each held row is about, newest row first; rows about no one are left out."""
        return [person for *_, person in self._newest_first() if person]

    def drained(self) -> Iterator[tuple[int, str, dict[str, Any], str]]:
        """(stamp, key, record, person) of every held row, oldest first; none is held after."""
        rows = self._newest_first()
        while rows:
            stamp_ms, key, values, person = rows.pop()
            yield stamp_ms, key, self._keep.unpacked(values), person

    def _newest_first(self) -> list[_Held]:
        self._rows.sort(key=_place, reverse=True)  # stays sorted: a second sort is one pass
        return self._rows


def _place(row: _Held) -> tuple[int, str]:
    return row[0], row[1]


def _node(fields: Iterable[str]) -> _Node:
    tails: dict[str, list[str]] = {}
    for field in fields:
        head, _, tail = field.partition(".")
        tails.setdefault(head, []).append(tail)
    return tuple((head, _node(rests) if all(rests) else None, head != _ID) for head, rests in tails.items())


def _unpacked(values: tuple[Any, ...], node: _Node) -> dict[str, Any]:
    return {
        head: _unpacked(value, inner) if inner is not None and type(value) is tuple else value
        for (head, inner, _), value in zip(node, values, strict=False)  # as long: `_packed` made it
        if value is not _ABSENT
    }
