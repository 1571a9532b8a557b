"""The root of every error leadsync raises, and the errors that belong to no single package."""

from __future__ import annotations

from collections.abc import Iterable

from leadsync.problems import Problem


class LeadsyncError(Exception):
    """Root of every error leadsync raises on purpose."""


class ModelError(LeadsyncError, ValueError):
    """A common-model value was built from invalid data (naive datetime, bad e-mail, unknown kind)."""


class ConfigError(LeadsyncError):
    """An input file (config, mapping, definitions, the people file of `evaluate`) has problems;
    all of them are listed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p.render()}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found:\n{lines}")
