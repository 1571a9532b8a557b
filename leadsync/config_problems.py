"""Turn a pydantic ValidationError into Problems an admin can act on: path, message, fix.

pydantic's own text echoes input values (secrets included) and names no fix, so each error is
rebuilt from its type, its location and the field's description, with the input left out.
"""

from __future__ import annotations

import difflib
import os
import types
from collections.abc import Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from leadsync.problems import Problem

__all__ = ["env_variable", "origin_of", "problems_from"]

_VALUE_ERROR_PREFIX = "Value error, "


def problems_from(
    exc: ValidationError, file: str, model: type[BaseModel], *, env_prefix: str | None = None
) -> list[Problem]:
    """One Problem per error in `exc`, located in `file` (or in the env variable that set it)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = tuple(str(part) for part in error["loc"] if "[" not in str(part))
        origin = origin_of(file, loc, env_prefix) if env_prefix else file
        problems.append(Problem(origin, ".".join(loc), _message(error), _hint(error, loc, model)))
    return problems


def env_variable(loc: Sequence[str], env_prefix: str) -> str:
    """The environment variable that sets the key at `loc`, e.g. LEADSYNC_CRM__HUBSPOT__ACCESS_TOKEN."""
    return env_prefix + "__".join(loc).upper()


def origin_of(file: str, loc: Sequence[str], env_prefix: str) -> str:
    """Where the value at `loc` came from: its environment variable when one is set, else `file`."""
    variable = env_variable(loc, env_prefix)
    if any(name.upper() == variable for name in os.environ):
        return f"environment {variable}"
    return file


def _message(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] == "extra_forbidden":
        return "unknown key"
    return error["msg"].removeprefix(_VALUE_ERROR_PREFIX)


def _hint(error: ErrorDetails, loc: Sequence[str], model: type[BaseModel]) -> str:
    context = error.get("ctx") or {}
    if "hint" in context:
        return str(context["hint"])
    parent, info = _locate(model, loc)
    leaf = loc[-1] if loc else ""
    if error["type"] == "extra_forbidden":
        known = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(leaf, known, n=1)
        if close:
            return f"remove it, or rename it to `{close[0]}`"
        return f"remove it; the keys allowed here are: {', '.join(known)}" if known else "remove it"
    described = info.description if info and info.description else ""
    if error["type"] == "missing":
        table = ".".join(loc[:-1])
        where = f" under [{table}]" if table else ""
        return f"add `{leaf}`{where}: {described}" if described else f"add `{leaf}`{where}"
    return f"expected {described}" if described else "see config.example.toml for a valid value"


def _locate(model: type[BaseModel], loc: Sequence[str]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model that holds the last key of `loc`, and that key's field (if it is one)."""
    current: Any = model
    parent: type[BaseModel] | None = None
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(current, _ElementOf):  # `part` is a dict key or a list index
            current, info = current.model, None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            parent, info = current, current.model_fields.get(part)
            current = _inner_model(info.annotation) if info else None
        else:
            return parent, None
    return parent, info


def _inner_model(annotation: object) -> object:
    """The model a field holds, directly, in a dict, in a list or as one branch of a union."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (Union, types.UnionType):
        for arg in args:
            inner = _inner_model(arg)
            if inner is not None:
                return inner
        return None
    if origin in (dict, list, tuple) and args:
        return _ElementOf(_inner_model(args[-1]))
    return None


class _ElementOf:
    """Marks a container level in `loc`: the next part is a key or index, then `model`."""

    def __init__(self, model: object) -> None:
        self.model = model
