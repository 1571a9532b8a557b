"""CRM object type names as HubSpot accepts them in paths: plural, singular or type id."""

from __future__ import annotations

from .errors import HubSpotApiError, error_body

__all__ = ["object_type_of", "singular"]

_OBJECT_TYPES = {
    "contacts": ("contact", "0-1"),
    "companies": ("company", "0-2"),
    "deals": ("deal", "0-3"),
    "calls": ("call", "0-48"),
    "emails": ("email", "0-49"),
    "meetings": ("meeting", "0-47"),
    "notes": ("note", "0-46"),
    "tasks": ("task", "0-27"),
}
_ALIASES = {alias: plural for plural, names in _OBJECT_TYPES.items() for alias in (plural, *names)}


def object_type_of(name: str) -> str:
    """The plural object type for a name, singular name or type id (`contact`, `0-1` → contacts)."""
    plural = _ALIASES.get(name.lower())
    if plural is None:
        # 400 without a category, as recorded: tests/fixtures/recorded/hubspot/error_400_unknown_*.json
        raise HubSpotApiError(400, error_body(f"Unable to infer object type from: {name}"))
    return plural


def singular(object_type: str) -> str:
    """`contacts` → `contact`."""
    return _OBJECT_TYPES[object_type][0]
