"""Shape checks shared by the mapping loaders: tables, names, unknown keys, spelling hints."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Mapping
from typing import Final

from leadsync.mapping.transforms import shown
from leadsync.problems import Problems

__all__ = ["SCALARS", "Checker", "key_of"]

SCALARS: Final = (str, int, float, bool)
_BARE_KEY: Final = re.compile(r"^[A-Za-z0-9_-]+$")
_CRM_NAME: Final = re.compile(r"^[^\s.]+(?:\.[^\s.]+)*$")  # no blanks, no empty dotted part
_SHOWN_KEY: Final = 80


def key_of(base: str, *parts: str | int) -> str:
    """The dotted TOML key of `parts` under `base`, quoting parts that are not bare keys."""
    key = base
    for part in parts:
        if isinstance(part, int):
            key += f"[{part}]"
            continue
        text = part if len(part) <= _SHOWN_KEY else part[: _SHOWN_KEY - 3] + "..."
        segment = text if _BARE_KEY.match(text) else json.dumps(text, ensure_ascii=False)
        key = f"{key}.{segment}" if key else segment
    return key


class Checker:
    """Records problems about one mapping file; every check returns None (or False) on a problem."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def add(self, key: str, message: str, hint: str) -> None:
        """Record one problem at `key`."""
        self.problems.add(key, message, hint)

    @property
    def count(self) -> int:
        """How many problems are recorded so far (compare before and after a check)."""
        return len(self.problems.items)

    def table(self, value: object, key: str, example: str) -> Mapping[str, object] | None:
        """`value` when it is a TOML table."""
        if isinstance(value, Mapping):
            return value
        self.add(key, f"must be a table, found {_kind(value)}", example)
        return None

    def unknown_keys(self, table: Mapping[str, object], allowed: Collection[str], key: str) -> bool:
        """Report each key of `table` outside `allowed`, suggesting the closest spelling."""
        clean = True
        for name in table:
            if name not in allowed:
                clean = False
                close = suggestion(name, allowed)
                hint = (
                    f"rename it to `{close}`"
                    if close
                    else f"remove it; the keys allowed here: {', '.join(allowed)}"
                )
                self.add(key_of(key, name), "unknown key", hint)
        return clean

    def crm_name(self, value: object, key: str, example: str) -> str | None:
        """`value` when it can name a CRM field or object (`Owner.Email` names a parent's field)."""
        if isinstance(value, str) and _CRM_NAME.match(value):
            return value
        found = f"the text {shown(value)}" if isinstance(value, str) else _kind(value)
        self.add(key, f"must be a CRM field name without blanks, found {found}", example)
        return None

    def unknown_name(self, name: str, key: str, what: str, valid: Collection[str]) -> None:
        """Report `name` as not one of `valid`, listing them and suggesting the closest."""
        close = suggestion(name, valid)
        known = f"use one of: {', '.join(valid)}"
        self.add(key, f"unknown {what} {shown(name)}", f"did you mean `{close}`? {known}" if close else known)


def suggestion(name: object, choices: Collection[str]) -> str | None:
    """The choice closest to `name` (case aside), if one is close enough."""
    if not isinstance(name, str):
        return None
    folded = name[:_SHOWN_KEY].casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice
    close = difflib.get_close_matches(folded, list(choices), n=1)
    return close[0] if close else None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return "a date or time"
