"""Run the dashboard with uvicorn: in the foreground (`leadsync serve`) or beside the daemon."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable
from typing import Final

import structlog
import uvicorn
from fastapi import FastAPI

from leadsync.web.exceptions import WebError

__all__ = ["DashboardServer"]

_log = structlog.get_logger(__name__)
_START_TIMEOUT_S: Final = 10.0
_POLL_S: Final = 0.05
_WATCH_S: Final = 1.0
_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)


class DashboardServer:
    """One uvicorn server for `app` on `host:port`, served from a thread; single use.

    Access logs are off: a request line can carry a person's e-mail (`/person/<email>`).
    """

    def __init__(self, app: FastAPI, *, host: str, port: int) -> None:
        self.host, self.port = host, port
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The address it serves, with the port it is bound to."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.bound_port}/"

    def run(self, on_listening: Callable[[], None] = lambda: None) -> None:
        """Serve until SIGTERM or SIGINT, then stop cleanly; call from the main thread.

        `on_listening` is called once the server listens.

        uvicorn's own handlers would re-raise the signal once stopped (exit 143, not 0), so the
        server runs in a thread and this thread waits for the signal.
        """
        stopping = threading.Event()
        previous = {signum: signal.signal(signum, lambda *_: stopping.set()) for signum in _SIGNALS}
        try:
            self.start()
            on_listening()
            while not stopping.wait(_WATCH_S):
                if self._thread is not None and not self._thread.is_alive():
                    raise WebError(f"the dashboard on {self.host}:{self.port} stopped; see the log above")
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def start(self) -> None:
        """Serve from a background thread; return once it listens, WebError if it cannot."""
        # Outside the main thread uvicorn installs no signal handlers: the daemon keeps its own.
        self._thread = threading.Thread(target=self._serve, name="leadsync-web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise WebError(self._refused())
            time.sleep(_POLL_S)
        _log.info("web.started", host=self.host, port=self.bound_port)

    def stop(self) -> None:
        """Stop serving: open requests finish, then the thread ends."""
        self._server.should_exit = True
        if self._thread is not None and self._thread.is_alive():
            self._thread.join()
            _log.info("web.stopped")

    def _serve(self) -> None:
        # uvicorn calls sys.exit when it cannot bind, after logging why; start() reports it.
        with contextlib.suppress(SystemExit):
            self._server.run()

    @property
    def bound_port(self) -> int:
        """The port it listens on (the one the OS chose when `port` was 0)."""
        sockets = [s for server in self._server.servers for s in server.sockets]
        return int(sockets[0].getsockname()[1]) if sockets else self.port

    def _refused(self) -> str:
        return (
            f"the dashboard could not listen on {self.host}:{self.port} (see the log above); "
            "is the port taken? Fix: pick another with --port or [web] port"
        )
