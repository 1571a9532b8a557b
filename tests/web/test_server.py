"""The dashboard server: in the foreground it stops cleanly on SIGTERM; a taken port is an error."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from structlog.testing import capture_logs

from leadsync.web import DashboardServer, WebError


def test_in_the_foreground_it_serves_until_sigterm_then_restores_the_handlers(app: FastAPI) -> None:
    server = DashboardServer(app, host="127.0.0.1", port=0)
    started = threading.Event()
    answers: list[int] = []
    before = signal.getsignal(signal.SIGTERM)

    def on_log(_logger: object, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if event["event"] == "web.started":
            started.set()
        return event

    def visit_then_terminate() -> None:
        try:
            started.wait(timeout=60)
            answers.append(httpx.get(f"http://127.0.0.1:{server.bound_port}/healthz", timeout=30).status_code)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    with capture_logs(processors=[on_log]) as logs:
        visitor = threading.Thread(target=visit_then_terminate)
        visitor.start()
        server.run()  # returns once SIGTERM arrived and the server stopped
        visitor.join()

    assert answers == [200]
    assert [entry["event"] for entry in logs] == ["web.started", "web.stopped"]
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_taken_port_is_a_clear_error(app: FastAPI, base_url: str) -> None:
    taken = int(base_url.rsplit(":", 1)[1])

    with pytest.raises(WebError, match=rf"could not listen on 127\.0\.0\.1:{taken}.*--port or \[web\] port"):
        DashboardServer(app, host="127.0.0.1", port=taken).start()
