"""Recorded real response bodies, and the shape comparison that holds the sandboxes to them.

`shape_diff` compares two JSON values by shape, not by value: the keys of every object, the
JSON type of every value, recursively. A list's elements are each compared with the
recorded element they differ least from, so a recording may show several shapes (a success
and a failure result). `null` in a recording matches any type (the recorded record just had
no value there); `null` in the sandbox answer where the recording has a value is a
difference. Objects whose keys are data, not schema (HubSpot's `properties`), are named in
`maps`: only the types of their values are compared.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded"
ADAPTERS = Path(__file__).resolve().parent.parent.parent / "adapters"


def recorded(name: str) -> Any:
    """A recorded body, e.g. `recorded("hubspot/search_contacts_page.json")`."""
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def json_type(value: object) -> str:
    """The JSON type of a decoded value; integers and other numbers apart, as a parser tells them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape_diff(
    recording: object, actual: object, *, ignore: Iterable[str] = (), maps: Iterable[str] = ()
) -> list[str]:
    """Where `actual` differs in shape from `recording`, one line each, sorted; [] when alike.

    Paths read `$.results[].properties`; a path in `ignore` is not compared (nor anything
    under it), whether it is missing, extra or of another type.
    """
    return sorted(set(_diff(recording, actual, "$", frozenset(ignore), frozenset(maps))))


def assert_same_shape(
    name: str, actual: object, *, ignore: Iterable[str] = (), maps: Iterable[str] = ()
) -> None:
    """Fail with every difference between the sandbox answer and the recorded body `name`."""
    differences = shape_diff(recorded(name), actual, ignore=ignore, maps=maps)
    if differences:
        listed = "\n  ".join(differences)
        raise AssertionError(f"the sandbox answer differs in shape from {name}:\n  {listed}")


def read_by_adapter(crm: str, keys: Iterable[str]) -> set[str]:
    """Those `keys` that the adapter's own code (not its sandbox) names as a string literal.

    The guard for allow-lists: a recorded key the sandbox leaves out must be one the adapter
    never reads.
    """
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ADAPTERS / crm).glob("*.py")))
    return {key for key in keys if re.search(rf"""["']{re.escape(key)}["']""", source)}


def leaf(path: str) -> str:
    """The last key of a path: `$.results[].url` → `url`."""
    return path.rsplit(".", 1)[-1].removesuffix("[]")


def _diff(
    recording: object, actual: object, path: str, ignore: frozenset[str], maps: frozenset[str]
) -> list[str]:
    if path in ignore or recording is None:
        return []
    expected, got = json_type(recording), json_type(actual)
    if expected != got:
        return [f"{path}: recorded {expected}, sandbox {got}"]
    if isinstance(recording, dict) and isinstance(actual, dict):
        if path in maps:
            return _map_diff(recording, actual, path)
        return _object_diff(recording, actual, path, ignore, maps)
    if isinstance(recording, list) and isinstance(actual, list):
        return _list_diff(recording, actual, path, ignore, maps)
    return []


def _object_diff(
    recording: dict[str, object],
    actual: dict[str, object],
    path: str,
    ignore: frozenset[str],
    maps: frozenset[str],
) -> list[str]:
    differences: list[str] = []
    for key, value in recording.items():
        at = f"{path}.{key}"
        if at in ignore:
            continue
        if key not in actual:
            differences.append(f"{at}: missing from the sandbox answer (recorded {json_type(value)})")
        else:
            differences += _diff(value, actual[key], at, ignore, maps)
    differences += [
        f"{path}.{key}: in the sandbox answer ({json_type(actual[key])}), not in the recording"
        for key in actual
        if key not in recording and f"{path}.{key}" not in ignore
    ]
    return differences


def _list_diff(
    recording: list[object], actual: list[object], path: str, ignore: frozenset[str], maps: frozenset[str]
) -> list[str]:
    if not recording:
        return []
    if not actual:
        return [f"{path}: empty in the sandbox answer, so nothing was compared (recorded {len(recording)})"]
    at = f"{path}[]"
    differences: list[str] = []
    for element in actual:
        differences += min((_diff(r, element, at, ignore, maps) for r in recording), key=len)
    return differences


def _map_diff(recording: dict[str, object], actual: dict[str, object], path: str) -> list[str]:
    allowed = {json_type(v) for v in recording.values()} | {"null"}
    return [
        f"{path}.{key}: recorded values are {' or '.join(sorted(allowed))}, sandbox {json_type(value)}"
        for key, value in actual.items()
        if json_type(value) not in allowed
    ]
