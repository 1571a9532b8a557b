"""A short excerpt of a raw CRM record for the quarantine: always valid JSON, long values cut."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Final

__all__ = ["excerpt"]

_EXCERPT_VALUE_CHARS: Final = 60
_EXCERPT_CHARS: Final = 500


def excerpt(raw: Mapping[str, Any], *, only: Collection[str] = ()) -> str:
    """A short JSON object of a raw record for the quarantine: always valid JSON, long values cut.

    Parent fields are flattened (`Owner.Email`), empty fields and metadata left out, and fields
    that would pass `_EXCERPT_CHARS` dropped whole (counted under "…"), never cut mid-value.
    `only`: the fields to show, when not all of them.
    """
    flat = {k: v for k, v in _flat_fields(raw) if not only or k in only}
    kept: dict[str, object] = {}
    for key, value in flat.items():
        candidate = {**kept, key: value, "…": len(flat) - len(kept) - 1}
        if len(json.dumps(candidate, ensure_ascii=False, default=str)) > _EXCERPT_CHARS:
            kept["…"] = len(flat) - len(kept)
            break
        kept[key] = value
    return json.dumps(kept, ensure_ascii=False, default=str)


def _flat_fields(raw: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in raw.items():
        if key == "attributes" or value is None or value == "":
            continue
        if isinstance(value, Mapping):
            yield from _flat_fields(value, f"{prefix}{key}.")
            continue
        shown = value if isinstance(value, int | float | bool) else str(value)
        if isinstance(shown, str) and len(shown) > _EXCERPT_VALUE_CHARS:
            shown = shown[:_EXCERPT_VALUE_CHARS] + "…"
        yield f"{prefix}{key}", shown
