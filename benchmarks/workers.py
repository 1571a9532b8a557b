"""Run an object in a fresh child process and call its methods: the engine's RSS stays its own.

`Worker("benchmarks.engine_runner:EngineRunner", settings)` spawns a clean interpreter that
builds the object; `worker.call("cycle")` runs a method there and returns its (picklable)
result. The child's peak RSS (`peak_rss_mb`) covers only what that object did.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import resource
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["Worker", "peak_rss_mb"]

_CONTEXT = multiprocessing.get_context("spawn")


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    Linux's `VmHWM`, which a new program starts afresh; `ru_maxrss` survives `execve`, so a
    spawned child would report its parent's peak at fork time.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Worker:
    """One object living in a child process, called by method name."""

    def __init__(self, factory: str, *args: Any, **kwargs: Any) -> None:
        self._parent, child = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(target=_serve, args=(child, factory, args, kwargs), daemon=True)
        self._process.start()
        child.close()
        self._answer()  # the object is built (or its error raised here)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run `method` in the child and return its result; its error is raised here as RuntimeError."""
        self._parent.send((method, args, kwargs))
        return self._answer()

    def peak_rss_mb(self) -> float:
        """The child's peak RSS so far, in MB."""
        return float(self.call("__peak_rss_mb__"))

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the child has used so far."""
        return float(self.call("__cpu_s__"))

    def close(self) -> None:
        """Stop the child."""
        if self._process.is_alive():
            self._parent.send(None)
            self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
        self._parent.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _answer(self) -> Any:
        ok, value = self._parent.recv()
        if not ok:
            raise RuntimeError(f"benchmark worker failed: {value}")
        return value


def _cpu_s() -> float:
    times = os.times()
    return times.user + times.system


_PROBES = {"__peak_rss_mb__": peak_rss_mb, "__cpu_s__": _cpu_s}


def _serve(conn: Connection, factory: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    module, name = factory.split(":")
    try:
        target = getattr(importlib.import_module(module), name)(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        conn.send((False, f"{type(exc).__name__}: {exc}"))
        return
    conn.send((True, None))
    while (request := conn.recv()) is not None:
        method, margs, mkwargs = request
        try:
            probe = _PROBES.get(method)
            result = probe() if probe else getattr(target, method)(*margs, **mkwargs)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
            conn.send((False, f"{method}: {type(exc).__name__}: {exc}"))
        else:
            conn.send((True, result))
    close = getattr(target, "close", None)
    if callable(close):
        close()
