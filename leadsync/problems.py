"""Problems found in an input file, gathered so that all of them are reported at once."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "Problems"]


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


class Problems:
    """A list of problems in one file, filled by a loader and raised together at the end."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, path: str, message: str, hint: str = "") -> None:
        """Record one problem at `path` (a dotted TOML key) of this file."""
        self.items.append(Problem(self.file, path, message, hint))

    def extend(self, problems: list[Problem]) -> None:
        """Record problems found by someone else (pydantic, a nested loader)."""
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)
