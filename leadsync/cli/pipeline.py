"""`leadsync run`, `explain` and `rollback`: the daemon, one person's story, undoing a run."""

from __future__ import annotations

from typing import Annotated, Any, Final

import typer

from leadsync.cli.output import ConfigOption, Format, FormatOption, err, out, print_json, print_table
from leadsync.cli.serve import dashboard_beside
from leadsync.cli.session import crms_answer, fail, loaded_definitions, loaded_settings, opened_pipeline
from leadsync.clock import SystemClock
from leadsync.emails import normalize_email
from leadsync.exceptions import LeadsyncError, ModelError
from leadsync.insights import person_view
from leadsync.scheduler import Daemon, sync_cycle, trigger_for

__all__ = ["explain", "explain_tables", "rollback", "run"]

_ACTIVITIES_SHOWN: Final = 15


def run(
    config: ConfigOption = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="also serve the dashboard on [web] host:port (see `leadsync serve`)"),
    ] = False,
) -> None:
    """Run the daemon: a cycle on the [sync] schedule (interval or cron) until SIGTERM or Ctrl-C.

    A stop finishes the current batch, stores what was written and the cursors, and exits 0
    (the dashboard, with --serve, stops with it).
    It starts only when every CRM answers with its credentials accepted (else exit 1, each reason
    on stderr); afterwards a CRM that fails a cycle is logged, and the next cycle tries again.
    Logs are JSON lines on stderr (when it is not a terminal), each with the run id.
    """
    settings = loaded_settings(config)
    definitions = loaded_definitions(settings)
    clock = SystemClock()
    crms_answer(settings, clock)
    daemon = Daemon(sync_cycle(settings, definitions, clock), trigger_for(settings.sync), clock=clock)
    if not serve:
        daemon.run()
        return
    with dashboard_beside(settings, definitions):
        daemon.run()


def explain(
    email: Annotated[str, typer.Argument(help="the person's e-mail, in any case")],
    config: ConfigOption = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Everything about one person: records in each CRM, activities from all, every rule that fired
    with its points, the resulting stage/score/temperature/owner, and what each CRM holds now."""
    try:
        normalize_email(email)
    except ModelError as exc:
        fail(f"{exc}. Fix: give the person's e-mail address, e.g. jane.doe@example.com")
        raise typer.Exit(code=1) from None
    with opened_pipeline(loaded_settings(config)) as pipeline:
        document = person_view(pipeline.engine, email)
    if document is None:
        fail(f"no one with the e-mail {email.strip()!r} is in the state store; has a sync run?")
        raise typer.Exit(code=1)
    if fmt is Format.JSON:
        print_json(document)
        return
    explain_tables(document)


def explain_tables(document: dict[str, Any]) -> None:
    decision = document["decision"] or {}
    print_table(
        f"{document['email']} as of {document['as_of']}",
        ("profile", "stage", "set by", "score", "fit", "grade", "engagement", "temperature", "owner"),
        [
            (
                decision.get("profile"),
                decision.get("stage"),
                decision.get("stage_set_by"),
                decision.get("score"),
                decision.get("fit_score"),
                decision.get("grade"),
                decision.get("engagement_score"),
                decision.get("temperature"),
                decision.get("owner"),
            )
        ],
    )
    if decision.get("review"):
        out().print(f"Flagged for review: {decision['review']}", markup=False)
    print_table(
        "Records",
        ("record", "name", "title", "holds now", "would write"),
        (
            (r["record"], r["name"], r["title"], _pairs(r["holds"]), _pairs(r["would_write"]) or "nothing")
            for r in document["records"]
        ),
    )
    print_table(
        "Rules that fired",
        ("rule", "points", "detail"),
        ((r["rule"], f"{r['points']:+d}" if r["points"] else "", r["detail"]) for r in document["reasons"]),
    )
    activities = document["activities"]
    print_table(
        f"Activities ({len(activities)}, latest first)",
        ("when", "crm", "kind", "detail"),
        ((a["occurred_at"][:16], a["crm"], a["kind"], a["detail"]) for a in activities[:_ACTIVITIES_SHOWN]),
    )


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in values.items())


def rollback(
    run_id: Annotated[str, typer.Argument(help="the run to undo (see `leadsync runs`)")],
    config: ConfigOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Restore in every CRM the values a run overwrote, except fields a human changed since
    (listed, left untouched). The rollback is a run itself, in the audit log."""
    if not yes and not typer.confirm(f"Restore in every CRM the values run {run_id} overwrote?", err=True):
        raise typer.Exit(code=1)
    with opened_pipeline(loaded_settings(config)) as pipeline:
        try:
            report = pipeline.engine.rollback(run_id)
        except LeadsyncError as exc:
            fail(str(exc))
            raise typer.Exit(code=1) from None
    if fmt is Format.JSON:
        print_json(report.as_dict())
    else:
        print_table(
            f"Rollback of run {run_id} (itself run {report.run_id}): {report.records} records written",
            ("crm", "field", "restored", "left (changed since)", "failed"),
            [
                (crm, name, t.restored, t.skipped, t.failed)
                for (crm, name), t in sorted(report.fields.items())
            ],
        )
        if report.skipped:
            print_table(
                "Left untouched: changed since the run",
                ("record", "field", "the run wrote", "now"),
                ((s["record"], s["field"], s["run_wrote"], s["now"]) for s in report.skipped),
            )
        if report.failed:
            print_table(
                "Not restored",
                ("record", "field", "why"),
                ((f["record"], f["field"], f["reason"]) for f in report.failed),
            )
    if report.failed:
        err.print(f"rollback of run {run_id}: {len(report.failed)} values not restored; see the list")
        raise typer.Exit(code=1)
