"""What every command shares: `--format`, `--config`, stdout for results, stderr for the rest."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from leadsync.insights import ViewTable
from leadsync.problems import Problem

err = Console(stderr=True)
"""Progress, logs and errors: never mixed into a command's result."""


class Format(StrEnum):
    """How a command prints its result on stdout."""

    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    Format, typer.Option("--format", help="table for people, json for machines (one document on stdout)")
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="config file; default $LEADSYNC_CONFIG, else ./leadsync.toml",
        readable=False,  # a folder or an unreadable file is reported by the loader, in one line
        show_default=False,
    ),
]


_PIPE_WIDTH = 160


def out() -> Console:
    """A console on the current stdout (looked up per call, so tests can capture it).

    Piped output gets a wide fixed width instead of rich's 80 columns, so tables stay readable
    in files and CI logs.
    """
    width = None if sys.stdout.isatty() else _PIPE_WIDTH
    return Console(file=sys.stdout, soft_wrap=True, width=width)


def print_json(document: Any) -> None:  # noqa: ANN401 - any JSON-serialisable document
    """Write one JSON document to stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a rich table to stdout."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    out().print(table)


def print_view(table: ViewTable) -> None:
    """One view of the funnel report as a table on stdout."""
    print_table(table.title, [column.label for column in table.columns], table.shown())


def problems_table(problems: Sequence[Problem], *, noun: str = "problem") -> None:
    """The problems (or warnings) of an input file as a table on stdout."""
    print_table(
        f"{len(problems)} {noun}{'s' if len(problems) != 1 else ''}",
        ("file", "key", noun, "fix"),
        ((p.file, p.path, p.message, p.hint) for p in problems),
    )


def report_problems(problems: Sequence[Problem]) -> None:
    """Problems that stop a command, on stderr (the command has no result to print)."""
    for problem in problems:
        err.print(problem.render(), markup=False, highlight=False, soft_wrap=True)
