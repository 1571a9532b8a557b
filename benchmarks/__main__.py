"""`make bench`: run every benchmark in one process, print and save docs/benchmarks.md."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import (
    bench_evaluator,
    bench_hubspot_writes,
    bench_memory,
    bench_model,
    bench_pipedrive,
    bench_store,
    bench_sync,
)
from benchmarks.report import write_page

MODULES = (
    bench_model,
    bench_evaluator,
    bench_hubspot_writes,
    bench_pipedrive,
    bench_sync,
    bench_store,
    bench_memory,
)


def main() -> None:
    """Run the benchmarks in order and write the page."""
    figures = [figure for module in MODULES for figure in module.run()]
    page = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    sys.stdout.write(write_page(figures, page, "make bench"))


if __name__ == "__main__":
    main()
