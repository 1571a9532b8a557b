"""What both CRM sandboxes share: a loopback WSGI server in a thread, faults, call accounting.

Each sandbox is a Werkzeug WSGI app that speaks its CRM's dialect; this module serves it on
127.0.0.1 (HTTPS with a throwaway `trustme` CA when asked), counts every call per endpoint,
and injects faults — scripted ones (`push`) or a seeded share of calls (`rate`) — which the
sandbox renders in its own dialect. Nagle's algorithm is off on every connection, so
benchmarks measure code, not delayed ACKs (api-notes).
"""

from __future__ import annotations

import random
import ssl
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import trustme
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["CallLog", "Fault", "Faults", "LoopbackServer", "with_accounting"]

_POLL_S = 0.05  # how soon `stop()` is noticed; Werkzeug's 0.5 s default adds up over a test suite


_EVERY_CALL = 1_000_000  # more calls than any test makes


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault to inject: `kind` is the sandbox's name for it (e.g. "rate_limit", "server_error").

    `path` limits it to calls whose path contains the text; `delay_s` holds the answer back
    (past a client's timeout to simulate one); `headers` are added to the fault's response.
    """

    kind: str
    path: str = ""
    method: str = ""
    delay_s: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        """Whether the fault applies to a call."""
        return (not self.method or self.method == method) and self.path in path


class Faults:
    """Thread-safe fault schedule: scripted faults first, then a seeded share of calls.

    `drawn` lists the faults answered, in order: the evidence of what a test injected.
    """

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.drawn: list[Fault] = []
        self._scripted: list[Fault] = []
        self._rate = 0.0
        self._choices: tuple[Fault, ...] = ()
        self._rng = random.Random(seed)

    def push(self, fault: Fault, *, times: int = 1) -> None:
        """Answer the next `times` matching calls with `fault`."""
        with self._lock:
            self._scripted.extend([fault] * times)

    def rate(self, share: float, choices: Iterable[Fault], *, seed: int | None = None) -> None:
        """Answer `share` of all calls (0 to 1) with one of `choices`, drawn by a seeded RNG."""
        with self._lock:
            self._rate, self._choices = share, tuple(choices)
            if seed is not None:
                self._rng = random.Random(seed)

    @contextmanager
    def always(self, fault: Fault) -> Iterator[None]:
        """Answer every matching call with `fault` until the block ends (a spent daily budget, say)."""
        self.push(fault, times=_EVERY_CALL)
        try:
            yield
        finally:
            self.withdraw(fault)

    def withdraw(self, fault: Fault) -> None:
        """Take back what `push(fault)` scripted and no call has drawn yet."""
        with self._lock:
            self._scripted = [f for f in self._scripted if f is not fault]

    def clear(self) -> None:
        """No more faults."""
        with self._lock:
            self._scripted.clear()
            self._rate, self._choices = 0.0, ()

    def draw(self, method: str, path: str) -> Fault | None:
        """The fault for this call, if any (consumes a scripted one)."""
        with self._lock:
            fault = self._next(method, path)
            if fault is not None:
                self.drawn.append(fault)
            return fault

    def _next(self, method: str, path: str) -> Fault | None:
        for i, fault in enumerate(self._scripted):
            if fault.matches(method, path):
                return self._scripted.pop(i)
        if self._choices and self._rng.random() < self._rate:
            candidates = [f for f in self._choices if f.matches(method, path)]
            return self._rng.choice(candidates) if candidates else None
        return None


class CallLog:
    """Calls per (method, endpoint), thread-safe; the evidence for "zero writes".

    It also knows the calls still being answered: a timed-out call the sandbox holds back is
    applied after its client gave up, and `wait_idle` lets a test wait for it to land.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0

    def record(self, method: str, endpoint: str) -> None:
        """Count one call."""
        with self._lock:
            self._counts[(method, endpoint)] += 1

    def count(self, method: str | None = None, endpoint: str | None = None) -> int:
        """Calls matching a method and/or an endpoint (all calls when both are None)."""
        with self._lock:
            return sum(
                n
                for (m, e), n in self._counts.items()
                if (method is None or m == method) and (endpoint is None or e == endpoint)
            )

    def snapshot(self) -> dict[str, int]:
        """Counts as {"METHOD endpoint": n}, for `/__sandbox__/stats`."""
        with self._lock:
            return {f"{m} {e}": n for (m, e), n in sorted(self._counts.items())}

    def reset(self) -> None:
        """Forget every call."""
        with self._lock:
            self._counts.clear()

    def answering(self, delta: int) -> None:
        """One call more (+1) or less (-1) being answered."""
        with self._idle:
            self._in_flight += delta
            if not self._in_flight:
                self._idle.notify_all()

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Return once no call is being answered (a held one has landed); TimeoutError past `timeout_s`."""
        with self._idle:
            if not self._idle.wait_for(lambda: not self._in_flight, timeout_s):
                raise TimeoutError(f"the sandbox still answers {self._in_flight} call(s) after {timeout_s} s")


class _QuietHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True
    # HTTP/1.1 answers, as the real APIs give. Werkzeug 3 still closes the connection after each
    # one ("Connection: close"): clients open a connection per call here (Cheroot kept them
    # alive, but the 100k benchmark did not move and the test suite slowed by a fifth).
    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Stay quiet: the call log is the record."""


class LoopbackServer:
    """Serve a WSGI app on 127.0.0.1 in a daemon thread, over HTTP or HTTPS."""

    def __init__(self, app: WSGIApplication, *, tls: bool = False, port: int = 0) -> None:
        self._app = app
        self._tls = tls
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.ca_bundle: Path | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. https://127.0.0.1:53211."""
        if self._server is None:
            raise RuntimeError("the sandbox server is not running; use it as a context manager")
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_port}"

    def start(self) -> LoopbackServer:
        """Bind, then serve in the background."""
        ssl_context = None
        if self._tls:
            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            self._tmp = tempfile.TemporaryDirectory(prefix="leadsync-sandbox-")
            self.ca_bundle = Path(self._tmp.name) / "ca.pem"
            ca.cert_pem.write_to_path(str(self.ca_bundle))
            ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(ssl_context)
        self._server = make_server(
            "127.0.0.1",
            self._port,
            self._app,
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=ssl_context,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": _POLL_S}, name="sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and remove the throwaway CA."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def with_accounting(
    app: WSGIApplication,
    calls: CallLog,
    faults: Faults,
    *,
    endpoint_of: Callable[[str, str], str],
    render_fault: Callable[[Fault, WSGIEnvironment, StartResponse], Iterable[bytes]],
    sleep: Callable[[float], None] = time.sleep,
    latency_s: Callable[[], float] = lambda: 0.0,
) -> WSGIApplication:
    """Wrap a sandbox app: count each call under its endpoint, answer drawn faults instead.

    Each counted call is held back `latency_s()` seconds first: a real CRM's round trip.
    `/__sandbox__/…` calls are neither counted, delayed nor faulted.
    """

    def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if path.startswith("/__sandbox__/"):
            return app(environ, start_response)
        calls.record(method, endpoint_of(method, path))
        calls.answering(+1)
        try:
            if (round_trip_s := latency_s()) > 0:
                sleep(round_trip_s)
            fault = faults.draw(method, path)
            if fault is None:
                return app(environ, start_response)
            if fault.delay_s:
                sleep(fault.delay_s)
            return render_fault(fault, environ, start_response)
        finally:
            calls.answering(-1)

    return wrapped
