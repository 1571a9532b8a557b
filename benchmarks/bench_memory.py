"""Peak RSS of the engine at 10k, 100k and 1M people, read from a streaming synthetic CRM.

The HTTP sandboxes hold 100k people at most; the synthetic source (`synthetic_source.py`)
makes its pages on demand, so each engine worker process's peak RSS is the engine's own.
It must stay flat in N: the engine streams pages in and batches of people out, and keeps
everything else in the state store. `LEADSYNC_BENCH_QUICK=1` skips the 1M run (it takes
well over ten minutes on a shared two-core machine).
"""

from __future__ import annotations

import os
from typing import Final

from benchmarks.report import Figure
from benchmarks.workers import Worker

__all__ = ["run"]

ACTIVITIES: Final = 3  # per person: 3M activity rows at 1M people keep the run within the hour
QUICK: Final = os.environ.get("LEADSYNC_BENCH_QUICK", "") not in ("", "0")
SIZES: Final = (10_000, 100_000) if QUICK else (10_000, 100_000, 1_000_000)


def run() -> list[Figure]:
    """One initial sync per size, each in a fresh engine process."""
    peaks: dict[int, float] = {}
    figures: list[Figure] = []
    for people in SIZES:
        with Worker("benchmarks.synthetic_source:synthetic_runner", people, ACTIVITIES) as engine:
            started_mb = engine.peak_rss_mb()
            cycle = engine.call("cycle")
            peaks[people] = engine.peak_rss_mb()
        figures.append(
            Figure(
                f"memory {people:,}",
                "peak RSS of the engine (synthetic source)",
                f"{peaks[people]:,.0f} MB",
                f"{started_mb:,.0f} MB after start-up; initial sync of {people:,} people and "
                f"{people * ACTIVITIES:,} activities in {cycle['wall_s']:.0f} s "
                f"({people / cycle['wall_s']:,.0f} people/s); writes counted and dropped",
            )
        )
    largest = max(peaks)
    figures.append(
        Figure(
            "memory",
            f"peak RSS {largest:,} / 10,000 people",
            f"{peaks[largest] / peaks[10_000]:.2f}",
            "flat in N: 1.00 would be no growth at all"
            + ("; the 1M run skipped (LEADSYNC_BENCH_QUICK=1)" if QUICK else ""),
        )
    )
    return figures
