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
    """Score, stage and assign people from a file; bad lines are reported and skipped.

    A line may carry "expect" (stage, temperature, grade, profile, owner, fit, review) and a
    "quote" (the agreed sentence it encodes): the file is then a test of the definitions,
    and the command exits 1 when any decision differs from what its line expects.
    """
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
    if bad or any(item.mismatches for item in good):
        raise typer.Exit(code=1)


@dataclass(frozen=True, slots=True)
class Evaluated:
    """One input line evaluated: the person and the decision."""

    line: int
    parsed: ParsedPerson
    decision: Decision

    @property
    def mismatches(self) -> list[str]:
        """What the decision does not share with the line's expectations ("stage: sql, expected mql")."""
        decision, found = self.decision, []
        for key, expected in self.parsed.expect.items():
            got = (decision.review is not None) if key == "review" else getattr(decision, key)
            if got != expected:
                found.append(f"{key}: {_shown(got)}, expected {_shown(expected)}")
        return found


def _shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


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
        "grade": decision.grade,
        "profile": decision.profile,
        "temperature": str(decision.temperature),
        "owner": decision.owner,
        "review": decision.review,
        "reasons": [{"rule": r.rule, "points": r.points, "detail": r.detail} for r in decision.reasons],
        "ignored": [
            {"kind": str(a.kind), "occurred_at": a.occurred_at.isoformat(), "reason": "after --as-of"}
            for a in decision.ignored
        ],
        "definitions_version": decision.definitions_version,
        **(
            {"expect": {"ok": not item.mismatches, "mismatches": item.mismatches}}
            if item.parsed.expect
            else {}
        ),
    }


def people_table(items: list[Evaluated], rules: Definitions, as_of: datetime) -> None:
    """The evaluated lines as one table on stdout."""
    checked = any(item.parsed.expect for item in items)
    failed = sum(1 for item in items if item.mismatches)
    title = f"{len(items)} people as of {as_of:%Y-%m-%d %H:%M}Z — definitions {rules.name} ({rules.version})"
    if checked:
        title += f" — {failed} of {sum(1 for i in items if i.parsed.expect)} cases differ"
    columns = ("line", "email", "profile", "stage", "grade", "score (fit + eng.)", "temperature", "owner")
    print_table(
        title,
        (*columns, "points by rule", *(("expected",) if checked else ())),
        (_row(item, rules, checked=checked) for item in items),
    )


def _row(item: Evaluated, rules: Definitions, *, checked: bool) -> tuple[object, ...]:
    decision, parsed = item.decision, item.parsed
    row = (
        item.line,
        parsed.person.email,
        decision.profile,
        rules.funnel.stages[decision.stage].label
        + (f"\nreview: {decision.review}" if decision.review else ""),
        decision.grade,
        f"{decision.score} ({decision.fit_score} + {decision.engagement_score})",
        decision.temperature,
        decision.owner or "-",
        ", ".join(f"{r.rule} {r.points:+d}" for r in decision.reasons if r.points)
        + "".join(f"\nignored: {a.kind} at {a.occurred_at:%Y-%m-%d}" for a in decision.ignored),
    )
    if not checked:
        return row
    return (*row, ("ok" if not item.mismatches else "\n".join(item.mismatches)) if parsed.expect else "-")
