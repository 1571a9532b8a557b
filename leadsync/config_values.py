"""Checks on the untyped keys of `[crm.*]` tables, and on placeholders a template leaves behind.

They run over the merged TOML and environment values before any masking, so a credential
given as a number is still a number. No problem ever shows a value: it may be a secret.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from datetime import date, time
from typing import Final
from urllib.parse import urlsplit

from leadsync.config_problems import env_variable, origin_of
from leadsync.problems import Problem
from leadsync.redact import is_secret_key

__all__ = ["crm_value_problems", "is_placeholder", "placeholder_problems"]

_LOOPBACK_NAMES: Final = frozenset({"localhost"})
_URL_HINT: Final = "use https://… (plain http only to a loopback sandbox: 127.0.0.1, localhost or ::1)"
_PLACEHOLDER_WORDS: Final = frozenset(
    {"changeme", "replaceme", "todo", "tbd", "fixme", "placeholder", "secret", "password", "token"}
)
_PLACEHOLDER_SHAPES: Final = re.compile(
    r"x{3,}|\*+|[.…]+|<.*>|\$\{.*\}|\{\{.*\}\}|your.*(token|key|secret|password|here)", re.DOTALL
)
_SEPARATORS: Final = re.compile(r"[\s_\-]+")


def crm_value_problems(file: str, values: Mapping[str, object], *, env_prefix: str) -> list[Problem]:
    """What pydantic cannot see in `[crm.*]` keys no model declares: credentials that are not
    text (never coerced: `token = 0123` is not the token "0123") and URLs a CRM must not be
    reached by (anything but https, except plain http to a loopback sandbox)."""
    problems = []
    for loc, value in _crm_leaves(values):
        origin = origin_of(file, loc, env_prefix)
        variable = env_variable(loc, env_prefix)
        if is_secret_key(loc[-1]) and not isinstance(value, str):
            problems.append(
                Problem(
                    origin,
                    ".".join(loc),
                    f"is {_kind(value)}, but a credential is text",
                    f'put it in quotes ("…"), or better set it in {variable}',
                )
            )
        elif loc[-1].endswith("_url"):
            message = _url_problem(value)
            if message:
                problems.append(Problem(origin, ".".join(loc), message, _URL_HINT))
    return problems


def placeholder_problems(file: str, values: Mapping[str, object], *, env_prefix: str) -> list[Problem]:
    """Every credential that still holds a template's placeholder (see `is_placeholder`), in any
    table but that of a CRM switched off with `enabled = false`."""
    disabled = {("crm", name) for name, table in _crm_tables(values) if table.get("enabled") is False}
    problems = []
    for loc, value in _leaves(values, ()):
        if loc[:2] in disabled:
            continue
        if is_secret_key(loc[-1]) and isinstance(value, str) and is_placeholder(value):
            variable = env_variable(loc, env_prefix)
            origin = origin_of(file, loc, env_prefix)
            where = f"set {variable} to the real value" if origin != file else f"set {variable}"
            problems.append(
                Problem(
                    origin,
                    ".".join(loc),
                    "holds a placeholder, not a credential",
                    f"{where}; it wins over the file, which should keep no credential",
                )
            )
    return problems


def is_placeholder(value: str) -> bool:
    """Whether `value` is obviously no real credential: empty, a word such as "change-me",
    "TODO" or "secret", a mask ("xxx", "****", "…"), "<your token>", "your-api-token(-here)",
    or a template left unexpanded ("${TOKEN}", "{{ token }}")."""
    text = value.strip()
    word = _SEPARATORS.sub("", text).lower()
    return not word or word in _PLACEHOLDER_WORDS or _PLACEHOLDER_SHAPES.fullmatch(word) is not None


def _crm_tables(values: Mapping[str, object]) -> Iterator[tuple[str, Mapping[str, object]]]:
    crms = values.get("crm")
    if isinstance(crms, Mapping):
        yield from ((str(name), table) for name, table in crms.items() if isinstance(table, Mapping))


def _crm_leaves(values: Mapping[str, object]) -> Iterator[tuple[tuple[str, ...], object]]:
    for name, table in _crm_tables(values):
        yield from _leaves(table, ("crm", name))


def _leaves(values: Mapping[str, object], at: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], object]]:
    """(dotted location, value) of every non-table value, nested tables included."""
    for key, value in values.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, (*at, str(key)))
        else:
            yield (*at, str(key)), value


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (date, time)):
        return "a date or time"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "not text"


def _url_problem(value: object) -> str:
    """What is wrong with a CRM URL, or "" when it is an https URL (or http to loopback)."""
    if not isinstance(value, str):
        return f"is {_kind(value)}, but a URL is text"
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
    except ValueError:
        return "is not a URL"
    if not parts.scheme or not host:
        return "is not a URL with a scheme and a host"
    if parts.scheme.lower() == "https":
        return ""
    if parts.scheme.lower() == "http":
        return "" if _is_loopback(host) else "uses plain http to a host that is not loopback"
    return f"uses {parts.scheme}://, but a CRM is reached over https"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
