"""`leadsync run --serve`: the daemon and the dashboard in one process, both ended by SIGTERM with 0.

(`leadsync serve` alone stops the same way: tests/web/test_server.py drives it in-process.)
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import tomli_w

from tests.engine.conftest import Pipeline

_WAIT_S = 60  # a ceiling against a hung child, never an expectation


class Process:
    """A `leadsync` child process: its dashboard client, stderr events and exit code."""

    def __init__(self, port: int) -> None:
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        self.lines: list[str] = []
        self.code: int | None = None

    @property
    def events(self) -> list[str]:
        return [json.loads(line)["event"] for line in self.lines if line.startswith("{")]


@contextmanager
def leadsync(tmp_path: Path, raw: dict[str, Any], *args: str, until: str) -> Iterator[Process]:
    """Run `leadsync ARGS` on a config made of `raw` until it logs `until`; SIGTERM it after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = tmp_path / "leadsync.toml"
    config.write_text(tomli_w.dumps({**raw, "web": {"port": port}}), encoding="utf-8")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("LEADSYNC_")}
    process = Process(port)
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(
        [sys.executable, "-m", "leadsync", *args, "--config", str(config)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=environment,
    ) as child:
        assert child.stderr is not None
        stream = child.stderr
        reader = threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True)
        reader.start()
        try:
            while f'"event": "{until}"' not in (line := lines.get(timeout=_WAIT_S)):
                process.lines.append(line)
            process.lines.append(line)
            with process.client:
                yield process
        finally:
            child.send_signal(signal.SIGTERM)
            process.code = child.wait(timeout=_WAIT_S)
            reader.join(timeout=_WAIT_S)
    process.lines += list(lines.queue)


def test_run_serve_serves_the_daemons_store_and_stops_with_it_on_sigterm(
    synced: Pipeline, tmp_path: Path
) -> None:
    raw = {**synced.raw, "sync": {"state_url": f"sqlite:///{tmp_path / 'daemon.db'}", "dry_run": True}}

    with leadsync(tmp_path, raw, "run", "--serve", until="cycle.finished") as daemon:
        runs = daemon.client.get("/api/runs").raise_for_status().json()["runs"]
        health = daemon.client.get("/healthz")

    assert [run["status"] for run in runs] == ["succeeded"]
    assert runs[0]["read"] > 0
    assert health.status_code == 200, health.text
    assert daemon.code == 0, "".join(daemon.lines)
    events = daemon.events
    assert events.index("web.started") < events.index("daemon.stopped") < events.index("web.stopped")
