"""The `leadsync` command line (typer): thin commands that parse, call core, render."""

from __future__ import annotations

import sys

import structlog
import typer

from leadsync import __version__
from leadsync.cli import definitions
from leadsync.cli.check import check
from leadsync.cli.collector import collect_less
from leadsync.cli.demo import demo
from leadsync.cli.evaluate import evaluate_command
from leadsync.cli.output import Format, FormatOption, print_json, print_table
from leadsync.cli.pipeline import explain, rollback, run
from leadsync.cli.report import report
from leadsync.cli.sandbox import sandbox
from leadsync.cli.serve import serve
from leadsync.cli.session import fail
from leadsync.cli.store_views import forget, quarantine, runs
from leadsync.cli.sync import plan, sync
from leadsync.exceptions import LeadsyncError
from leadsync.logs import configure_logging

__all__ = ["app", "main"]

app = typer.Typer(
    name="leadsync",
    help="Keep lead stages, scores, temperature and owners consistent across your CRMs.",
    no_args_is_help=True,
    rich_markup_mode=None,  # help is plain text: rich markup would eat "[sync]", "[web] token"…
    pretty_exceptions_show_locals=False,  # locals may hold credentials
    add_completion=False,
)


@app.callback()
def _main() -> None:
    """Set up logging once for every command (JSON when stderr is not a terminal), and the collector."""
    configure_logging(json=not sys.stderr.isatty())
    collect_less()


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


def main() -> None:
    """The `leadsync` command. What escapes a command is one line on stderr and exit 1, never
    a traceback: leadsync's own errors say what happened and what to do; anything else is a
    bug, whose traceback goes to the log (JSON on stderr when it is not a terminal)."""
    try:
        app(prog_name="leadsync")
    except LeadsyncError as exc:
        structlog.get_logger("leadsync.cli").error(
            "command.failed", error=type(exc).__name__, reason=str(exc)
        )
        fail(str(exc))
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, reported once
        structlog.get_logger("leadsync.cli").exception("command.crashed", error=type(exc).__name__)
        fail(f"leadsync stopped on an unexpected {type(exc).__name__}: {exc}. Please report it, with the log")
        sys.exit(1)
