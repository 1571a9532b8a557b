"""The guard `make test` runs: with `--clock-years-ahead`, the wall clock moves, in child processes too."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from leadsync.clock import SystemClock
from tests.conftest import REPO

INNER = """
import subprocess, sys
from datetime import datetime, timedelta
from leadsync.clock import SystemClock

OUTER_NOW = datetime.fromisoformat("{outer}")
AHEAD = timedelta(days=365 * {years} - 1)


def test_the_wall_clock_and_a_child_process_read_years_ahead():
    assert SystemClock().now() - OUTER_NOW > AHEAD
    code = "from leadsync.clock import SystemClock; print(SystemClock().now().isoformat())"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert datetime.fromisoformat(child.stdout.strip()) - OUTER_NOW > AHEAD


def test_a_date_written_into_a_test_goes_stale():
    assert SystemClock().now() < OUTER_NOW + timedelta(days=30)
"""


def test_years_ahead_moves_this_process_and_its_children_so_a_dated_test_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This run may be years ahead already (`make years-ahead`): the inner one starts from the real clock.
    moved = timedelta(seconds=float(os.environ.get("TRAVEL_AHEAD_S", "0")))
    monkeypatch.delenv("TRAVEL_AHEAD_S", raising=False)
    test_file = tmp_path / "test_inner.py"
    real_now = SystemClock().now() - moved
    test_file.write_text(textwrap.dedent(INNER.format(outer=real_now.isoformat(), years=5)))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.conftest",
            "--clock-years-ahead=5",
            "-q",
            str(test_file),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "1 failed, 1 passed" in run.stdout, run.stdout
    assert "test_a_date_written_into_a_test_goes_stale" in run.stdout
