"""`leadsync serve` says where it serves, and that a token is needed when [web] has one."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w

from tests.web.conftest import TOKEN

_WAIT_S = 60  # a ceiling against a hung child, never an expectation


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_until_announced(tmp_path: Path, web: dict[str, Any]) -> tuple[list[str], int]:
    """Run `leadsync serve`, fetch /healthz and / at the URL it prints, SIGTERM it: its stderr lines
    up to the announcement, the status of / and the exit code."""
    config = tmp_path / "leadsync.toml"
    raw = {"sync": {"state_url": f"sqlite:///{tmp_path / 'state.db'}"}, "web": web}
    config.write_text(tomli_w.dumps(raw), encoding="utf-8")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("LEADSYNC_")}
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-m", "leadsync", "serve", "--config", str(config)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=environment,
    ) as child:
        assert child.stderr is not None
        stream = child.stderr
        threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
        try:
            while not (line := lines.get(timeout=_WAIT_S)).startswith("Serving the dashboard on "):
                seen.append(line)
            seen.append(line)
            url = line.removeprefix("Serving the dashboard on ").strip()
            # /healthz answers without a token: 503 here, as no run has been stored yet
            assert httpx.get(f"{url}healthz", timeout=30).status_code == 503
            status = httpx.get(url, timeout=30).status_code
            seen.append(lines.get(timeout=_WAIT_S) if "token" in web else "")
        finally:
            child.send_signal(signal.SIGTERM)
            code = child.wait(timeout=_WAIT_S)
    assert code == 0
    return seen, status


@pytest.mark.parametrize("token", [None, TOKEN], ids=["loopback", "token"])
def test_serve_prints_the_url_it_serves(tmp_path: Path, token: str | None) -> None:
    port = _free_port()
    web: dict[str, Any] = {"port": port} if token is None else {"port": port, "token": token}

    seen, status = _serve_until_announced(tmp_path, web)

    assert f"Serving the dashboard on http://127.0.0.1:{port}/\n" in seen
    if token is None:
        assert status == 200
    else:
        assert status == 401  # the hint is printed, the token is not
        assert "Authorization: Bearer <token>" in seen[-1]
        assert not any(TOKEN in line for line in seen)
