"""A benchmark figure and the markdown page `make bench` writes."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One measured figure of one benchmark."""

    benchmark: str
    measure: str
    value: str
    note: str = ""


def rate(make: Callable[[int], object], count: int, *, repeat: int = 3) -> float:
    """Best of `repeat` runs of `make(i)` for i in range(count), as calls per second of this
    process's CPU time: one core's rate, whatever else the shared machine is running."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for i in range(count):
            make(i)
        best = min(best, time.process_time() - start)
    return count / best


def write_page(figures: Sequence[Figure], path: Path, command: str) -> str:
    """Write the figures as a markdown table headed by machine, date and command."""
    uname = platform.uname()
    lines = [
        "# leadsync benchmarks",
        "",
        (
            f"- machine: {uname.node} ({_processor()}, {uname.machine}, {platform.python_implementation()} "
            f"{platform.python_version()}, {_cores()} cores); shared and noisy, so compare ratios"
        ),
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",  # noqa: TID251 - a report stamp, not core
        f"- command: `{command}`",
        "",
        "| benchmark | measure | value | note |",
        "|---|---|---|---|",
        *(f"| {f.benchmark} | {f.measure} | {f.value} | {f.note} |" for f in figures),
        "",
    ]
    text = "\n".join(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def _processor() -> str:
    """The CPU: sessions land on different hosts, whose speeds differ by up to 3x."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return platform.processor() or "unknown CPU"
    fields: dict[str, str] = {}
    for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
        name, _, value = line.partition(":")
        fields.setdefault(name.strip(), value.strip())  # the first core's
    megahertz = float(fields.get("cpu MHz") or 0)
    return (
        f"{fields.get('model name', 'unknown CPU')}, family {fields.get('cpu family', '?')} "
        f"model {fields.get('model', '?')}, {megahertz:,.0f} MHz"
    )


def _cores() -> int:
    import os  # noqa: PLC0415

    return os.cpu_count() or 1
