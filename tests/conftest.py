"""Shared fixtures: a clean environment and the repository's own files."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

REPO = Path(__file__).resolve().parent.parent
TRAVEL_FOLDER = Path(__file__).resolve().parent / "travel"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-years-ahead",
        type=int,
        default=0,
        help="run with the process clock (and every child process's) moved this many years ahead: "
        "a test that reads the wall clock instead of its injected clock fails",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Travel ahead for the whole run when asked: the guard that no test depends on today's date."""
    years = config.getoption("--clock-years-ahead")
    if not years:
        return
    ahead = timedelta(days=round(365.25 * years))
    traveller = time_machine.travel(datetime.now(UTC) + ahead, tick=True)  # noqa: TID251 - the real clock, to move it
    traveller.start()
    config.add_cleanup(traveller.stop)
    os.environ.update(travel_environment(ahead))


def travel_environment(ahead: timedelta) -> dict[str, str]:
    """Variables that make a child Python process read a clock `ahead` of the real one."""
    path = os.pathsep.join(filter(None, [str(TRAVEL_FOLDER), os.environ.get("PYTHONPATH")]))
    return {"TRAVEL_AHEAD_S": str(ahead.total_seconds()), "PYTHONPATH": path}


@pytest.fixture(autouse=True)
def _no_leadsync_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without LEADSYNC_* variables from the developer's shell."""
    for name in list(os.environ):
        if name.upper().startswith("LEADSYNC_"):
            monkeypatch.delenv(name)


@pytest.fixture
def example_config() -> Path:
    return REPO / "config.example.toml"


@pytest.fixture
def write_config(tmp_path: Path):
    """Write a TOML config into a temporary folder and return its path."""

    def write(text: str, name: str = "leadsync.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
