"""One runner per pipeline: a PostgreSQL advisory lock, or a file lock beside a SQLite database."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from leadsync.store.exceptions import LeaseHeld

__all__ = ["lease", "lease_key", "lock_path"]

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_-]+")
_memory_leases: set[tuple[int, str]] = set()
_memory_guard = threading.Lock()


def lease_key(pipeline: str) -> int:
    """The signed 64-bit advisory-lock key of a pipeline, stable across processes and hosts."""
    digest = hashlib.blake2b(f"leadsync.lease:{pipeline}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_path(database: Path, pipeline: str) -> Path:
    """The lock file of a pipeline beside its SQLite database: `<db>.<pipeline>.lock`."""
    slug = _UNSAFE.sub("_", pipeline)
    if slug != pipeline:
        slug = f"{slug}-{lease_key(pipeline) & 0xFFFFFFFF:08x}"
    return database.with_name(f"{database.name}.{slug}.lock")


@contextlib.contextmanager
def lease(engine: Engine, pipeline: str) -> Iterator[None]:
    """Hold the pipeline's lease for the `with` block; LeaseHeld if another runner has it."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, pipeline):
            yield
    elif engine.url.database in (None, "", ":memory:"):
        with _memory_lock(engine, pipeline):
            yield
    else:
        with _file_lock(lock_path(Path(engine.url.database), pipeline), pipeline):
            yield


@contextlib.contextmanager
def _advisory_lock(engine: Engine, pipeline: str) -> Iterator[None]:
    # A session lock on a dedicated autocommit connection: held for the run, not in a transaction,
    # and released by PostgreSQL itself if this process dies.
    key = lease_key(pipeline)
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        if not conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
            raise LeaseHeld(pipeline, f"PostgreSQL advisory lock {key}")
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            except DBAPIError:
                conn.invalidate()  # the connection is gone, and the lock with it
    finally:
        conn.close()


@contextlib.contextmanager
def _file_lock(path: Path, pipeline: str) -> Iterator[None]:
    # flock locks belong to the open file, so two Stores in one process exclude each other too.
    with path.open("a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LeaseHeld(pipeline, f"lock file {path}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _memory_lock(engine: Engine, pipeline: str) -> Iterator[None]:
    held = (id(engine), pipeline)
    with _memory_guard:
        if held in _memory_leases:
            raise LeaseHeld(pipeline, "in-memory database of this process")
        _memory_leases.add(held)
    try:
        yield
    finally:
        with _memory_guard:
            _memory_leases.discard(held)
