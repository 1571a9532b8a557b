"""The `leadsync` command line (typer): thin commands that parse, call core, render."""

from __future__ import annotations

import sys

import typer

from leadsync import __version__
from leadsync.cli import definitions
from leadsync.cli.check import check
from leadsync.cli.demo import demo
from leadsync.cli.evaluate import evaluate_command
from leadsync.cli.output import Format, FormatOption, print_json, print_table
from leadsync.cli.pipeline import explain, rollback, run
from leadsync.cli.report import report
from leadsync.cli.sandbox import sandbox
from leadsync.cli.serve import serve
from leadsync.cli.store_views import forget, quarantine, runs
from leadsync.cli.sync import plan, sync
from leadsync.logs import configure_logging

__all__ = ["app"]

app = typer.Typer(
    name="leadsync",
    help="Keep lead stages, scores, temperature and owners consistent across your CRMs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold credentials
    add_completion=False,
)


@app.callback()
def _main() -> None:
    """Set up logging once for every command: JSON when stderr is not a terminal."""
    configure_logging(json=not sys.stderr.isatty())


@app.command()
def version(fmt: FormatOption = Format.TABLE) -> None:
    """Print the installed leadsync version."""
    if fmt is Format.JSON:
        print_json({"version": __version__})
    else:
        print_table("leadsync", ("component", "version"), [("leadsync", __version__)])


app.command()(check)
app.command()(run)
app.command()(sync)
app.command()(plan)
app.command()(explain)
app.command()(rollback)
app.command("evaluate")(evaluate_command)
app.command()(demo)
app.command()(sandbox)
app.command()(serve)
app.command()(runs)
app.command()(quarantine)
app.command()(forget)
app.command()(report)
app.add_typer(definitions.app, name="definitions")
