"""End-to-end syncs of both sandboxes: initial, incremental, against the client floor and a naive loop.

Each run starts the two sandboxes in one worker process and the engine in another (its peak
RSS is its own), then runs a sequence of cycles: the initial sync, a settling cycle (HubSpot
hands back the records the initial sync wrote: their stamps moved), 10 % of the people edited
in both CRMs, their cycle, and a quiet cycle. Calls are counted by the sandboxes and by the
engine, whose minimum is pages read + ceil(changed / batch) writes. The client floor replays
the initial sync's calls at that minimum through the clients against no-op servers. The naive
baseline runs the same sequence at 10,000 people with every cycle re-reading everything and
one update call per changed record.

The initial and settle cycles run again with every sandbox answer held back 100 ms (a SaaS
round trip) and HubSpot's documented Professional limits enforced by its sandbox and obeyed by
its adapter: each cycle's wall time is compared with its rate floor, the longest any CRM's
calls need at the rate it allows (HubSpot: 190 per 10 s, and 5 searches a second; Salesforce
counts calls per day only, so its adapter's own spacing of 25 a second).

`LEADSYNC_BENCH_PEOPLE` (default 100,000) sets the large runs' size.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from benchmarks.bench_floor import floor_s, replayed_calls
from benchmarks.report import Figure
from benchmarks.workers import Worker

__all__ = ["run"]

PEOPLE: Final = int(os.environ.get("LEADSYNC_BENCH_PEOPLE", "100000"))
NAIVE_PEOPLE: Final = 10_000
CHANGED: Final = 0.10
LATENCY_MS: Final = 100
CYCLES: Final = ("initial", "settle", "10 % changed", "0 % changed")
_PROFESSIONAL: Final = {"per_ten_seconds": 190, "search_per_second": 5}  # api-notes: HubSpot's limits
_ALLOWED_PER_S: Final = {"hubspot": 19.0, "salesforce": 25.0}
_SEARCHES_PER_S: Final = 5.0
_WRITES: Final = {"salesforce": "PATCH composite/sobjects", "hubspot": "POST contacts batch/update"}
# The sandboxes run without rate limits; the HubSpot adapter's own limiter is set out of reach
# so the figures measure code, not HubSpot's quota (190 calls per 10 s would pace a real sync).
_UNLIMITED: Final = {"per_ten_seconds": 1_000_000, "search_per_second": 100_000}


@dataclass
class Sequence:
    """The cycles of one run: each one's figures and the calls the sandboxes counted."""

    people: int
    naive: bool
    cycles: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    edited: int = 0
    peak_rss_mb: float = 0.0
    seed_s: float = 0.0
    cpu_s: dict[str, dict[str, float]] = field(default_factory=dict)  # cycle -> process -> CPU s

    def wall_s(self) -> float:
        """Seconds the engine spent in all cycles."""
        return float(sum(c["wall_s"] for c in self.cycles.values()))

    def api_calls(self) -> int:
        """Calls the engine made to both CRMs in all cycles."""
        return sum(f["api_calls"] for c in self.cycles.values() for f in c["crms"].values())


def run() -> list[Figure]:
    """The large run, the floor, then leadsync and the naive loop at 10,000 people."""
    large = _sequence(PEOPLE, naive=False)
    figures = _large_figures(large)
    slow = _sequence(PEOPLE, naive=False, latency_ms=LATENCY_MS, cycles=CYCLES[:2])
    small = large if PEOPLE == NAIVE_PEOPLE else _sequence(NAIVE_PEOPLE, naive=False)
    naive = _sequence(NAIVE_PEOPLE, naive=True)
    return [*figures, *_latency_figures(slow), *_naive_figures(small, naive)]


def _sequence(people: int, *, naive: bool, latency_ms: int = 0, cycles: tuple[str, ...] = CYCLES) -> Sequence:
    result = Sequence(people, naive)
    with Worker("benchmarks.sandboxes:Sandboxes", people, 7, latency_ms) as sandboxes:
        result.seed_s = float(sandboxes.call("seed_seconds"))
        limits = _PROFESSIONAL if latency_ms else _UNLIMITED
        crms = {
            name: {"adapter": name, **values, **(limits if name == "hubspot" else {})}
            for name, values in sandboxes.call("settings").items()
        }
        with Worker("benchmarks.engine_runner:EngineRunner", crms, naive=naive) as engine:
            for name in cycles:
                if name == "10 % changed":
                    result.edited = int(sandboxes.call("change", CHANGED))
                sandboxes.call("reset_calls")
                before = {"engine": engine.cpu_s(), "sandboxes": sandboxes.cpu_s()}
                result.cycles[name] = engine.call("cycle")
                result.calls[name] = sandboxes.call("calls")
                after = {"engine": engine.cpu_s(), "sandboxes": sandboxes.cpu_s()}
                result.cpu_s[name] = {process: after[process] - before[process] for process in after}
            result.peak_rss_mb = engine.peak_rss_mb()
    return result


def _minimum_calls(
    cycle: Mapping[str, Any], calls: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    return {
        crm: replayed_calls(calls[crm], writes_min=cycle["crms"][crm]["write_calls_min"], write=_WRITES[crm])
        for crm in calls
    }


def _rate_floor_s(calls: Mapping[str, Mapping[str, int]]) -> float:
    """The longest any CRM's calls need at the rate it allows (HubSpot's searches on their own too)."""
    searches = sum(n for endpoint, n in calls.get("hubspot", {}).items() if endpoint.endswith("search"))
    needs = [sum(by_endpoint.values()) / _ALLOWED_PER_S[crm] for crm, by_endpoint in calls.items()]
    return max([*needs, searches / _SEARCHES_PER_S])


def _latency_figures(run: Sequence) -> list[Figure]:
    figures = []
    for name, cycle in run.cycles.items():
        calls = run.calls[name]
        floor = _rate_floor_s(calls)
        counted = ", ".join(f"{crm} {sum(by.values()):,}" for crm, by in calls.items())
        figures.append(
            Figure(
                f"{name} {run.people:,} at {LATENCY_MS} ms",
                "wall time / rate floor",
                f"{cycle['wall_s'] / floor:.2f}x",
                f"{cycle['wall_s']:.1f} s against {floor:.1f} s; calls: {counted}; every answer held back "
                f"{LATENCY_MS} ms, HubSpot's Professional limits enforced; goal: at most 1.3x",
            )
        )
    return figures


def _large_figures(run: Sequence) -> list[Figure]:
    initial = run.cycles["initial"]
    with Worker("benchmarks.bench_floor:NoopServers") as servers:
        addresses = servers.call("addresses")
        floor = floor_s(addresses, _minimum_calls(initial, run.calls["initial"]))
        settle = run.cycles["settle"]
        settle_floor = sum(floor_s(addresses, _minimum_calls(settle, run.calls["settle"])).values())
    floor_total = sum(floor.values())
    crms = initial["crms"]
    records = sum(f["read"] for f in crms.values())
    activities = sum(f["activities"] for f in crms.values())
    wall = initial["wall_s"]
    bench = f"initial sync {run.people:,}"
    figures = [
        Figure(
            bench,
            "wall time",
            f"{wall:.1f} s",
            f"both sandboxes in their own process (seeded in {run.seed_s:.0f} s); {records:,} records and "
            f"{activities:,} activities read, {sum(f['writes'] for f in crms.values()):,} records written",
        ),
        Figure(
            bench,
            "wall time / client floor",
            f"{wall / floor_total:.1f}x",
            f"floor {floor_total:.2f} s; goal: at most 4x",
        ),
        Figure(
            f"settle cycle {run.people:,}",
            "wall time / client floor",
            f"{settle['wall_s'] / settle_floor:.1f}x",
            f"{settle['wall_s']:.1f} s against a floor of {settle_floor:.2f} s",
        ),
        Figure(
            bench,
            "CPU: engine / sandboxes",
            f"{run.cpu_s['initial']['engine']:.0f} s / {run.cpu_s['initial']['sandboxes']:.0f} s",
            "the engine's process (leadsync + both clients) and the emulated CRMs' process; "
            "on 2 shared cores the two add up to the wall time",
        ),
        Figure(bench, "people/s", f"{run.people / wall:,.0f}/s", "people seeded / wall time"),
        Figure(
            bench,
            "records/s",
            f"{(records + activities) / wall:,.0f}/s",
            "records + activities read / wall time",
        ),
        Figure(
            bench,
            "peak RSS of the engine",
            f"{run.peak_rss_mb:,.0f} MB",
            "over all four cycles, its own process",
        ),
    ]
    for crm, calls in _minimum_calls(initial, run.calls["initial"]).items():
        figures.append(
            Figure(
                "client floor",
                f"{crm}: the initial sync's minimal calls",
                f"{floor[crm]:.2f} s",
                f"{sum(calls.values()):,} calls of the unmodified client against a no-op loopback server",
            )
        )
    for name, cycle in run.cycles.items():
        for crm, f in cycle["crms"].items():
            figures.append(
                Figure(
                    f"{name} cycle {run.people:,}",
                    f"{crm}: API calls / minimum",
                    f"{f['api_calls']:,} / {f['minimum']:,}",
                    f"{f['api_calls'] * 1000 / run.people:,.1f} calls per 1,000 people; "
                    f"{f['read']:,} records read; {f['writes']:,} written in {f['write_calls']:,} calls "
                    f"(minimum {f['write_calls_min']:,}); {cycle['wall_s']:.1f} s"
                    + (f"; {run.edited:,} records edited before it" if name == "10 % changed" else ""),
                )
            )
    return figures


def _naive_figures(leadsync: Sequence, naive: Sequence) -> list[Figure]:
    bench = f"naive baseline {naive.people:,}"
    note = "initial, settle, 10 % changed, 0 % changed: full re-read each cycle, one update call per record"
    figures = [
        Figure(
            bench,
            "API calls (4 cycles)",
            f"{naive.api_calls():,}",
            f"leadsync: {leadsync.api_calls():,}; {note}",
        ),
        Figure(bench, "naive / leadsync API calls", f"{naive.api_calls() / leadsync.api_calls():.1f}x", ""),
        Figure(
            bench, "wall time (4 cycles)", f"{naive.wall_s():.1f} s", f"leadsync: {leadsync.wall_s():.1f} s"
        ),
        Figure(bench, "naive / leadsync wall time", f"{naive.wall_s() / leadsync.wall_s():.1f}x", ""),
    ]
    for name in ("10 % changed", "0 % changed"):
        n_calls = sum(f["api_calls"] for f in naive.cycles[name]["crms"].values())
        l_calls = sum(f["api_calls"] for f in leadsync.cycles[name]["crms"].values())
        figures.append(
            Figure(
                bench,
                f"{name}: naive / leadsync API calls",
                f"{n_calls / l_calls:.1f}x",
                f"{n_calls:,} vs {l_calls:,}",
            )
        )
    if leadsync.people != PEOPLE:
        figures.append(
            Figure(
                f"initial sync {leadsync.people:,}",
                "peak RSS of the engine",
                f"{leadsync.peak_rss_mb:,.0f} MB",
                f"{leadsync.cycles['initial']['wall_s']:.1f} s initial sync",
            )
        )
    return figures
