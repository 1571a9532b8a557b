"""Every command's --help shows its text as written: square brackets ("[sync]", "[web] token") stay."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
import typer
from typer.testing import CliRunner

from leadsync.cli import app

runner = CliRunner()
_BRACKETED = re.compile(r"\[[^\[\]\n]+\]")


def _commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def _flat(text: str) -> str:
    return " ".join(text.split())


COMMANDS = dict(_commands(typer.main.get_command(app)))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_help_shows_every_bracketed_text(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    texts = [command.help or "", *(getattr(param, "help", None) or "" for param in command.params)]
    bracketed = {found for text in texts for found in _BRACKETED.findall(_flat(text))}

    result = runner.invoke(app, [*path, "--help"])

    assert result.exit_code == 0, result.output
    assert {text for text in bracketed if text not in _flat(result.stdout)} == set()


def test_some_help_has_brackets_and_the_top_level_keeps_them() -> None:
    """The test above is not vacuous, and `leadsync --help` keeps run's "[sync]"."""
    helps = " ".join(command.help or "" for command in COMMANDS.values())
    assert {"[sync]", "[web]"} <= set(_BRACKETED.findall(helps))
    assert "[sync]" in runner.invoke(app, ["--help"]).stdout
