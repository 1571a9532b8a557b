"""`leadsync evaluate`: apply the definitions to people from a JSON Lines file (what-if tool)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from leadsync.cli.definitions import load_or_exit
from leadsync.cli.output import ConfigOption, Format, FormatOption, print_table
from leadsync.cli.session import fail
from leadsync.clock import SystemClock
from leadsync.definitions import Decision, Definitions, RoundRobin, evaluate
from leadsync.exceptions import ConfigError
from leadsync.people_lines import MAX_LINE, LineError, ParsedPerson, parse_person_line
from leadsync.user_files import text_lines

_PEOPLE_HINT = "give the path of a JSON Lines file: one person per line"


def evaluate_command(  # readable=False: leadsync's own reader says what is wrong with a file, in one line
    people: Annotated[Path, typer.Argument(help="JSON Lines: one person per line", readable=False)],
    definitions: Annotated[
        Path | None,
        typer.Option(
            "--definitions", help="definitions file (default: config's, else shipped)", readable=False
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="evaluate as of this ISO 8601 instant (default: now, UTC)")
    ] = None,
    config: ConfigOption = None,
    fmt: FormatOption = Format.TABLE,
) -> None:
    """Score, stage and assign people from a file; bad lines are reported and skipped."""
    moment = _as_of(as_of)
    rules = load_or_exit(definitions, config)
    lines = text_lines(people, max_line_bytes=MAX_LINE, missing_hint=_PEOPLE_HINT)
    try:
        results = list(evaluated_people(lines, rules, moment))
    except ConfigError as exc:  # the file cannot be read, or stops being JSON Lines text
        for problem in exc.problems:
            fail(problem.render())
        raise typer.Exit(code=1) from None
    bad = [item for item in results if isinstance(item, Rejected)]
    for failed in bad:
        sys.stderr.write(json.dumps({"line": failed.line, "error": failed.error}, ensure_ascii=False) + "\n")
    good = [item for item in results if isinstance(item, Evaluated)]
    if fmt is Format.JSON:
        for item in good:
            sys.stdout.write(json.dumps(people_document(item, rules), ensure_ascii=False) + "\n")
    else:
        people_table(good, rules, moment)
    if bad:
        raise typer.Exit(code=1)


@dataclass(frozen=True, slots=True)
class Evaluated:
    """One input line evaluated: the person and the decision."""

    line: int
    parsed: ParsedPerson
    decision: Decision


@dataclass(frozen=True, slots=True)
class Rejected:
    """One input line that could not be evaluated, and why."""

    line: int
    error: str


def evaluated_people(
    lines: Iterable[str], rules: Definitions, as_of: datetime
) -> Iterator[Evaluated | Rejected]:
    """Evaluate each non-blank line in order, threading the round-robin positions through."""
    round_robin: RoundRobin = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            parsed = parse_person_line(text, number, rules.funnel.stage_named)
        except LineError as exc:
            yield Rejected(number, str(exc))
            continue
        decision = evaluate(rules, parsed.person, parsed.activities, as_of=as_of, round_robin=round_robin)
        round_robin = decision.round_robin
        yield Evaluated(number, parsed, decision)


def _as_of(raw: str | None) -> datetime:
    if raw is None:
        return SystemClock().now()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(
            f"{raw!r} is not ISO 8601, e.g. 2026-11-23T09:00:00Z", param_hint="--as-of"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def people_document(item: Evaluated, rules: Definitions) -> dict[str, Any]:
    """The JSON object `evaluate --format json` prints for one evaluated line."""
    decision, parsed = item.decision, item.parsed
    return {
        "line": item.line,
        "email": parsed.person.email,
        "stage": str(decision.stage),
        "stage_label": rules.funnel.stages[decision.stage].label,
        "score": decision.score,
        "fit_score": decision.fit_score,
        "engagement_score": decision.engagement_score,
        "temperature": str(decision.temperature),
        "owner": decision.owner,
        "reasons": [{"rule": r.rule, "points": r.points, "detail": r.detail} for r in decision.reasons],
        "ignored": [
            {"kind": str(a.kind), "occurred_at": a.occurred_at.isoformat(), "reason": "after --as-of"}
            for a in decision.ignored
        ],
        "definitions_version": decision.definitions_version,
    }


def people_table(items: list[Evaluated], rules: Definitions, as_of: datetime) -> None:
    """The evaluated lines as one table on stdout."""
    print_table(
        f"{len(items)} people as of {as_of:%Y-%m-%d %H:%M}Z — definitions {rules.name} ({rules.version})",
        ("line", "email", "stage", "score (fit + eng.)", "temperature", "owner", "points by rule"),
        (_row(item, rules) for item in items),
    )


def _row(item: Evaluated, rules: Definitions) -> tuple[object, ...]:
    decision, parsed = item.decision, item.parsed
    return (
        item.line,
        parsed.person.email,
        rules.funnel.stages[decision.stage].label,
        f"{decision.score} ({decision.fit_score} + {decision.engagement_score})",
        decision.temperature,
        decision.owner or "-",
        ", ".join(f"{r.rule} {r.points:+d}" for r in decision.reasons if r.points)
        + "".join(f"\nignored: {a.kind} at {a.occurred_at:%Y-%m-%d}" for a in decision.ignored),
    )
