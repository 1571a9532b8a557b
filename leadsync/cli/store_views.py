"""`leadsync runs|quarantine|forget`: read what the state store keeps, and erase one person from it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Final

import typer

from leadsync.cli.output import (
    ConfigOption,
    Format,
    FormatOption,
    out,
    print_json,
    print_table,
)
from leadsync.cli.session import fail, loaded_settings
from leadsync.cli.session import opened_store as session_store
from leadsync.emails import normalize_email
from leadsync.engine.forgetting import ForgetReport, forget_person
from leadsync.exceptions import ModelError
from leadsync.insights import QuarantineEntry, RunView, WriteFailureEntry, quarantine_view, recent_runs
from leadsync.pipeline import LeaseHeld, Store

__all__ = ["forget", "quarantine", "runs"]

COMMON_COUNTS: Final = ("read", "quarantined", "changed", "written", "failed")
"""The run counts the table shows as columns (when some run has them); JSON has every count."""

UNTOUCHED: Final = (
    "The CRMs were left untouched: delete or anonymise the person there too, "
    "or the next cycle links them again."
)


@contextmanager
def opened_store(config: Path | None) -> Iterator[Store]:
    """The state store the config names; a config or store problem goes to stderr, exit code 1."""
    with session_store(loaded_settings(config)) as store:
        yield store


def runs(
    config: ConfigOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="how many runs to show")] = 20,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """List the latest runs, newest first: status, counts, and API calls against the fewest possible."""
    with opened_store(config) as store:
        recent = recent_runs(store, limit=limit)
    if fmt is Format.JSON:
        print_json({"runs": [_run_json(run) for run in recent]})
        return
    counts = [name for name in COMMON_COUNTS if any(name in run.counts for run in recent)]
    print_table(
        f"{len(recent)} latest run{'s' if len(recent) != 1 else ''} (times in UTC)",
        ("run", "pipeline", "status", "started\nfinished", "seconds", *counts, "api calls\n/minimum"),
        (
            (
                run.id,
                run.pipeline,
                run.status.value,
                f"{_shown_time(run.started_at)}\n{_shown_time(run.finished_at)}",
                _shown_duration(run),
                *(_shown_count(run, name) for name in counts),
                "\n".join(f"{crm} {c.calls}/{c.minimum}" for crm, c in sorted(run.api_calls.items())),
            )
            for run in recent
        ),
    )


def quarantine(
    config: ConfigOption = None,
    crm: Annotated[
        str | None, typer.Option("--crm", help="only this CRM's records (its [crm.<name>] name)")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="how many records to show")] = 100,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """List quarantined records, most recently seen first, with why and an excerpt; counts per reason.
    Then the records whose last write failed: the CRM's error, how often, since when; retried each cycle.

    The counts cover the records listed; `truncated` (JSON) or the title says when more are kept.
    """
    with opened_store(config) as store:
        view = quarantine_view(store, crm=crm, limit=limit)
    listed, truncated = view.quarantined, view.quarantined_truncated
    failures, failures_truncated = view.write_failures, view.write_failures_truncated
    by_reason = [(reason, len(entries)) for reason, entries in view.by_reason()]
    if fmt is Format.JSON:
        print_json(
            {
                "total": len(listed),
                "truncated": truncated,
                "by_reason": dict(by_reason),
                "records": [_quarantined_json(entry) for entry in listed],
                "write_failures": {
                    "total": len(failures),
                    "truncated": failures_truncated,
                    "records": [_failure_json(entry) for entry in failures],
                },
            }
        )
        return
    more = f" (more kept: raise --limit above {limit})" if truncated else ""
    print_table(
        f"{len(listed)} quarantined record{'s' if len(listed) != 1 else ''}{more}",
        ("reason", "records"),
        by_reason,
    )
    print_table(
        "records, most recently seen first",
        ("crm", "object", "record_id", "reason", "excerpt", "first_seen", "last_seen"),
        (
            (
                e.ref.crm,
                e.ref.object_type,
                e.ref.record_id,
                e.reason,
                e.excerpt,
                _shown_time(e.first_seen_at),
                _shown_time(e.last_seen_at),
            )
            for e in listed
        ),
    )
    _failures_table(failures, more=f" (more kept: raise --limit above {limit})" if failures_truncated else "")


def _failures_table(failures: list[WriteFailureEntry], *, more: str) -> None:
    print_table(
        f"{len(failures)} record{'s' if len(failures) != 1 else ''} whose last write failed, "
        f"retried each cycle{more}",
        ("crm", "object", "record_id", "code", "message", "attempts", "first_failed\nlast_failed", "run"),
        (
            (
                f.ref.crm,
                f.ref.object_type,
                f.ref.record_id,
                f.code,
                f.message,
                f.attempts,
                f"{_shown_time(f.first_failed_at)}\n{_shown_time(f.last_failed_at)}",
                f.run_id,
            )
            for f in failures
        ),
    )


def forget(
    email: Annotated[str, typer.Argument(help="the person's e-mail address", show_default=False)],
    config: ConfigOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="erase without asking (for scripts)")] = False,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Erase one person from the state store (a data-protection request); the CRMs are left untouched.

    Removes their links, remembered values, stage history, audit entries, quarantined records and
    write failures. It takes the pipeline's lease, so no cycle can write them back meanwhile: while
    a cycle runs, nothing is erased and the exit code is 1 (run it again once the cycle is done).
    """
    try:
        normalize_email(email)
    except ModelError as exc:
        fail(f"{exc}; give the person's address, e.g. jane@example.com")
        raise typer.Exit(code=1) from None
    settings = loaded_settings(config)
    with session_store(settings) as store:
        prompt = f"Erase {email} from the state store? The CRMs are not changed"
        if not yes and not typer.confirm(prompt, err=True):
            fail("Nothing erased.")
            raise typer.Exit(code=1)
        try:
            report = forget_person(store, settings.sync.pipeline, email)
        except LeaseHeld as exc:
            fail(f"Nothing erased: a cycle is running. {exc}; then run `leadsync forget` again")
            raise typer.Exit(code=1) from None
    if fmt is Format.JSON:
        print_json(asdict(report))
        return
    _forget_table(report)


def _forget_table(report: ForgetReport) -> None:
    print_table(
        "erased from the state store",
        ("what", "erased"),
        [
            ("people", report.people),
            ("records", report.records),
            ("stage changes", report.stage_changes),
            ("audit entries", report.audit_entries),
            ("quarantined", report.quarantined),
            ("write failures", report.write_failures),
        ],
    )
    if report == ForgetReport():
        out().print("No one with this e-mail was in the state store.", markup=False, highlight=False)
    out().print(UNTOUCHED, markup=False, highlight=False)


def _run_json(run: RunView) -> dict[str, Any]:
    return {
        "id": run.id,
        "pipeline": run.pipeline,
        "started_at": run.started_at.isoformat(),
        "finished_at": None if run.finished_at is None else run.finished_at.isoformat(),
        "duration_s": run.duration_s,
        "status": run.status.value,
        "counts": dict(run.counts),
        "api_calls": {
            crm: {"calls": c.calls, "minimum": c.minimum} for crm, c in sorted(run.api_calls.items())
        },
    }


def _quarantined_json(entry: QuarantineEntry) -> dict[str, str]:
    return {
        "crm": entry.ref.crm,
        "object_type": entry.ref.object_type,
        "record_id": entry.ref.record_id,
        "reason": entry.reason,
        "excerpt": entry.excerpt,
        "first_seen_at": entry.first_seen_at.isoformat(),
        "last_seen_at": entry.last_seen_at.isoformat(),
    }


def _failure_json(entry: WriteFailureEntry) -> dict[str, object]:
    return {
        "crm": entry.ref.crm,
        "object_type": entry.ref.object_type,
        "record_id": entry.ref.record_id,
        "code": entry.code,
        "message": entry.message,
        "attempts": entry.attempts,
        "first_failed_at": entry.first_failed_at.isoformat(),
        "last_failed_at": entry.last_failed_at.isoformat(),
        "run_id": entry.run_id,
    }


def _shown_count(run: RunView, name: str) -> int | str | None:
    """A count of the runs table; failed writes per CRM when some failed."""
    per_crm = run.failed_by_crm
    if name == "failed" and per_crm:
        return "\n".join(f"{crm} {n}" for crm, n in sorted(per_crm.items()))
    return run.counts.get(name)


def _shown_duration(run: RunView) -> str:
    return "" if run.duration_s is None else f"{run.duration_s:.1f}"


def _shown_time(at: datetime | None) -> str:
    return "" if at is None else f"{at:%Y-%m-%d %H:%M:%S}"
