"""The root of every error leadsync raises, and the errors that belong to no single package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class LeadsyncError(Exception):
    """Root of every error leadsync raises on purpose."""


class ModelError(LeadsyncError, ValueError):
    """A common-model value was built from invalid data (naive datetime, bad e-mail, unknown kind)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in an input file: where it is, what is wrong, and how to fix it."""

    file: str
    path: str
    message: str
    hint: str = ""

    def render(self) -> str:
        """The problem as one line an admin can act on."""
        where = f"{self.file} [{self.path}]" if self.path else self.file
        fix = f" Fix: {self.hint}" if self.hint else ""
        return f"{where}: {self.message}.{fix}"

    def as_json(self) -> dict[str, str]:
        """The shape `--format json` prints for every problem."""
        return {"file": self.file, "path": self.path, "message": self.message, "hint": self.hint}


class ConfigError(LeadsyncError):
    """An input file (config, mapping, definitions) has problems; all of them are listed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p.render()}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found:\n{lines}")
