"""Pipedrive's token cost of a cycle over 10,000 persons, and a backfill under the smallest plan's budget.

Pipedrive bills each call in tokens against the company's daily budget (30,000 x plan multiplier
x seats; api-notes, "Rate limits"). The sandbox counts every call at its cost (`x-token-cost`:
v2 list 10, v1 list 20, PATCH 5) and answers 429 past the budget or the 2-second burst window;
its count is the figure. Sandbox and engine run in this process over real HTTP on one
`ManualClock`, which both the sandbox's burst window and the adapter's waits (its `sleep`) use:
pacing costs no wall time, and the accounting stays the sandbox's own.

First each cycle's tokens at Ultimate, 10 seats (no cut): the initial sync, the settling cycle
(each PATCH moved its person's `update_time`, so all are read again), a quiet cycle, and one
after 1 % of the persons were re-titled. Then a backfill of the same 10,000 on the smallest plan
with 1 seat: one cycle a day, the clock moved a day between, until no write is left for later;
then one more day, which must write nothing, with every person holding a score.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import structlog

from adapters.pipedrive import PipedriveSettings
from adapters.pipedrive.sandbox import SCORE, PipedriveSandbox
from adapters.pipedrive.sandbox.routes import PATCH_COST
from adapters.pipedrive.settings import MULTIPLIERS
from benchmarks.engine_runner import EngineRunner
from benchmarks.report import Figure
from leadsync.clock import ManualClock
from leadsync.logs import configure_logging
from leadsync.model import RecordRef

__all__ = ["run"]

PEOPLE: Final = 10_000
CHANGED: Final = 0.01
START: Final = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a fixed instant: the run never reads today's date
SMALLEST: Final = min(MULTIPLIERS, key=MULTIPLIERS.__getitem__)  # Lite: multiplier 1
MAX_DAYS: Final = 30
_CRM: Final = "pipedrive"


@dataclass(frozen=True)
class Company:
    """A seeded sandbox, the engine syncing it, and the clock both read."""

    sandbox: PipedriveSandbox
    runner: EngineRunner
    clock: ManualClock

    def cycle(self, *, new_day: bool = False) -> Cycle:
        """One cycle as the sandbox counted it: its tokens (the day's whole count on a new day)."""
        sandbox, day = self.sandbox, self.clock.now().date()
        tokens = 0 if new_day else sandbox.tokens_spent
        calls, patches = sandbox.calls.count(), sandbox.write_calls()
        figures = self.runner.cycle()["crms"][_CRM]
        if self.clock.now().date() != day:
            raise RuntimeError("bench_pipedrive: a cycle crossed midnight: its tokens fell on two budgets")
        tokens, calls = sandbox.tokens_spent - tokens, sandbox.calls.count() - calls
        return Cycle(tokens, calls, sandbox.write_calls() - patches, figures)


@dataclass(frozen=True)
class Cycle:
    """A cycle's tokens, calls and PATCH calls (the sandbox's counts), and the engine's figures."""

    tokens: int
    calls: int
    patches: int
    figures: dict[str, Any]  # `engine_runner.figures_of`, for Pipedrive

    def note(self) -> str:
        """Calls and reads, in a few words."""
        f = self.figures
        return (
            f"{self.calls:,} calls, {self.patches:,} of them PATCH ({PATCH_COST} tokens each); "
            f"{f['read']:,} persons and {f['activities']:,} activities read"
        )


def run() -> list[Figure]:
    """Each cycle's tokens, then the backfill day by day; only the engine's errors logged meanwhile."""
    saved = structlog.get_config()
    configure_logging(json=False, level="error")  # a crm.call line per PATCH would bury the page
    try:
        return [*_cycle_costs(), *_backfill()]
    finally:
        structlog.configure(**saved)


@contextmanager
def _company(**options: Any) -> Iterator[Company]:
    """A company of PEOPLE persons on `options`' plan and seats, its sandbox limited to match."""
    clock = ManualClock(START)
    with PipedriveSandbox(PEOPLE, seed=7, clock=clock) as sandbox:
        crm = {**sandbox.settings(), **options}
        plan = PipedriveSettings.model_validate(crm)
        sandbox.daily_tokens, sandbox.burst = plan.daily_tokens(), plan.burst()
        runner = EngineRunner({_CRM: {"adapter": _CRM, **crm}}, clock=clock, sleep=clock.sleep)
        try:
            yield Company(sandbox, runner, clock)
        finally:
            runner.close()


def _cycle_costs() -> list[Figure]:
    bench = f"pipedrive cycle {PEOPLE:,}"
    edits: dict[str, Callable[[Company], str]] = {
        "initial": lambda _c: "no budget cut (Ultimate, 10 seats)",
        "settle": lambda _c: "every PATCH moved its person's update_time: all read again, none written",
        "quiet": lambda _c: "nothing changed",
        "1 % changed": _retitle,
    }
    figures = []
    with _company() as company:
        for name, edit in edits.items():
            why = edit(company)
            cycle = company.cycle()
            figures.append(Figure(bench, f"{name}: tokens", f"{cycle.tokens:,}", f"{cycle.note()}; {why}"))
            company.clock.advance(minutes=5)
    return figures


def _retitle(company: Company) -> str:
    """An import re-titles 1 % of the persons (`bulk_edit`); what it did."""
    persons = sorted(company.sandbox.persons)
    chosen = random.Random(7).sample(persons, round(len(persons) * CHANGED))
    company.sandbox.bulk_edit([RecordRef(_CRM, "person", str(n)) for n in chosen])
    return f"{len(chosen):,} persons re-titled by an import before it"


def _backfill() -> list[Figure]:
    bench = f"pipedrive backfill {PEOPLE:,} ({SMALLEST}, 1 seat)"
    with _company(plan=SMALLEST, seats=1) as company:
        budget, days = company.sandbox.daily_tokens, _days(company)
        company.clock.advance(minutes=5)
        again = company.cycle()
        lost = _unscored(company) - {r.record_id for r in company.runner.store.quarantine.refs(_CRM)}
    to_write, written = days[0].figures["changed"], sum(d.patches for d in days)
    figures = [
        Figure(
            bench,
            "days to write every person",
            str(len(days)),
            f"daily budget {budget:,} tokens (30,000 x {MULTIPLIERS[SMALLEST]} x 1 seat), one cycle a day; "
            f"{to_write:,} persons to write, {written:,} PATCH calls in all: the "
            f"{written - to_write:,} more rewrite scores a day's decay lowered (by a point) meanwhile",
        ),
        *(
            Figure(
                bench,
                f"day {n}: tokens used",
                f"{d.tokens:,} of {budget:,}",
                f"{d.note()}; {d.figures['failed']:,} writes left for the next day",
            )
            for n, d in enumerate(days, start=1)
        ),
        Figure(
            bench,
            f"second pass on day {len(days)}: PATCH calls",
            f"{again.patches:,}",
            f"{again.tokens:,} tokens; {again.note()}; {len(lost):,} persons without a score "
            "(those in quarantine, whose e-mail is invalid, are never written)",
        ),
    ]
    if again.patches or lost:
        raise RuntimeError(f"bench_pipedrive: a second pass wrote {again.patches}, {len(lost)} persons lost")
    return figures


def _days(company: Company) -> list[Cycle]:
    """One cycle a day until no write is left for later; each day's progress on stderr."""
    days: list[Cycle] = []
    while not days or days[-1].figures["failed"]:
        if len(days) == MAX_DAYS:
            raise RuntimeError(f"bench_pipedrive: writes still left after {MAX_DAYS} days")
        if days:
            company.clock.advance(days=1)
        days.append(company.cycle(new_day=True))
        sys.stderr.write(
            f"pipedrive backfill: day {len(days)}: {days[-1].patches:,} persons written, "
            f"{days[-1].tokens:,} of {company.sandbox.daily_tokens:,} tokens, "
            f"{days[-1].figures['failed']:,} left for the next day\n"
        )
    return days


def _unscored(company: Company) -> set[str]:
    """The ids of the persons in the sandbox that hold no score."""
    code = company.sandbox.field_code(SCORE)
    return {str(n) for n, p in company.sandbox.persons.items() if p["custom_fields"][code] is None}
