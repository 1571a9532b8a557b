"""What a batch update's answer says about each input: written, or refused and why.

- 200/207: an input is written only when `results` confirms it (api-notes, "Corrections,
  2026-12": 207 errors may come without `context.ids`). An error naming ids fails those; an
  input neither confirmed nor named fails with the message of an error that names no ids. An
  input answered under another id (a merged-away contact answers as its survivor) counts as
  confirmed only when no error goes unnamed and enough extra results came back.
- 400 VALIDATION_ERROR fails the whole batch (api-notes, "HubSpot CRM v3"). Its detail names the
  bad inputs: each problem's property (`errors[].context.propertyName`, or `name` in the JSON
  list inside `message`), its code, and for a bad value the value itself, which starts the
  message (`"<value> was not one of the allowed options…"`, `"<value> was not a valid number."`)
  or follows "Email address" (`"Email address <value> is invalid"`, a real body quoted in
  Atlas-Authority/marketing-automation issue #174). A property that does not exist or is read
  only fails every input that writes it. When a problem names no input, nothing is inferred.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["Outcome", "confirmed", "named_inputs"]

Outcome = tuple[str, str]
"""(code, message) of a refused input."""

_WHOLE_PROPERTY: Final = frozenset({"PROPERTY_DOESNT_EXIST", "READ_ONLY_VALUE"})
_LISTED: Final = "Property values were not valid: "
_UNCONFIRMED: Final = ("UNCONFIRMED", "HubSpot did not confirm this write; it is retried next cycle")


def confirmed(body: Mapping[str, Any], ids: Sequence[str]) -> dict[str, Outcome | None]:
    """Each input id's outcome in a 200/207 answer: None when written."""
    written = {str(r.get("id")) for r in body.get("results", []) or [] if isinstance(r, Mapping)}
    named: dict[str, Outcome] = {}
    unnamed: Outcome | None = None
    for error in body.get("errors", []) or []:
        outcome = (str(error.get("category") or "ERROR"), str(error.get("message", ""))[:300])
        error_ids = (error.get("context") or {}).get("ids") or []
        named.update(dict.fromkeys(map(str, error_ids), outcome))
        if not error_ids:
            unnamed = unnamed or outcome
    missing = [i for i in ids if i not in written and i not in named]
    extras = len(written - set(ids))
    if unnamed is None and extras >= len(missing):
        written.update(missing)  # answered under the id they were merged into
    return {
        i: None if i in written and i not in named else named.get(i) or unnamed or _UNCONFIRMED for i in ids
    }


def named_inputs(body: Mapping[str, Any], inputs: Sequence[Mapping[str, str]]) -> dict[int, Outcome] | None:
    """The positions of the inputs a 400 refuses, with why; None when a problem names no input."""
    found: dict[int, Outcome] = {}
    for name, code, message in _problems(body):
        writing = [n for n, properties in enumerate(inputs) if name in properties]
        if code not in _WHOLE_PROPERTY:
            writing = [n for n in writing if _names_value(message, inputs[n][name])]
        if not writing:
            return None
        found.update(dict.fromkeys(writing, (code or "VALIDATION_ERROR", message[:300])))
    return found or None


def _problems(body: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(property, code, message) of each problem the 400 lists."""
    problems: list[tuple[str, str, str]] = []
    for error in body.get("errors", []) or []:
        names = (error.get("context") or {}).get("propertyName") or []
        problems.extend(
            (str(n), str(error.get("code") or ""), str(error.get("message") or "")) for n in names
        )
    if problems:
        return problems
    message = str(body.get("message") or "")
    if not message.startswith(_LISTED):
        return []
    try:
        listed = json.loads(message[len(_LISTED) :])
    except ValueError:
        return []
    return [
        (str(p.get("name") or ""), str(p.get("error") or ""), str(p.get("message") or ""))
        for p in listed
        if isinstance(p, Mapping)
    ]


def _names_value(message: str, value: str) -> bool:
    return bool(value) and (message.startswith(f"{value} ") or f"Email address {value} " in message)
