"""The Jinja2 environment of the pages and the offline report: package templates, autoescaped."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["environment", "static_text"]


@cache
def environment() -> Environment:
    """The shared environment, with filters for times, hours and rates."""
    env = Environment(
        loader=PackageLoader("leadsync.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["number"] = _number
    env.filters["percent"] = _percent
    return env


def static_text(name: str) -> str:
    """A file of the package's static folder, as text (inlined by the offline report)."""
    return (files("leadsync.web") / "static" / name).read_text(encoding="utf-8")


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f} %"
