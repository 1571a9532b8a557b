"""The state store: one object opening the database, migrating it and handing out its parts."""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Final, Self

import msgspec
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from leadsync.store.analytics import Analytics
from leadsync.store.entries import ForgetReport
from leadsync.store.exceptions import StoreError
from leadsync.store.forget import forget
from leadsync.store.history import Audit, Runs, StageHistory
from leadsync.store.intents import WriteIntents
from leadsync.store.lease import lease
from leadsync.store.links import Links
from leadsync.store.migrate import upgrade
from leadsync.store.persons import Persons
from leadsync.store.property_audit import PropertyAudit
from leadsync.store.quarantine import Quarantine
from leadsync.store.state import Cursors, DefinitionsVersion, Reevaluation, RoundRobinPositions
from leadsync.store.values import Values
from leadsync.store.write_failures import WriteFailures

__all__ = ["DEFAULT_URL", "Store"]

DEFAULT_URL: Final = "sqlite:///./leadsync.db"
_SQLITE_BUSY_TIMEOUT_MS: Final = 10_000
_SQLITE_CACHE_KIB: Final = 16 * 1024
_SQLITE_CHECKPOINT_PAGES: Final = 10_000


class Store:
    """Everything leadsync remembers between cycles, on SQLite or PostgreSQL.

    Each part runs its own short transactions; `lease` keeps two runners off one pipeline.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cursors = Cursors(engine)
        self.links = Links(engine)
        self.persons = Persons(engine)
        self.values = Values(engine)
        self.reevaluation = Reevaluation(engine)
        self.round_robin = RoundRobinPositions(engine)
        self.definitions_version = DefinitionsVersion(engine)
        self.stage_history = StageHistory(engine)
        self.runs = Runs(engine)
        self.audit = Audit(engine)
        self.property_audit = PropertyAudit(engine)
        self.quarantine = Quarantine(engine)
        self.write_failures = WriteFailures(engine)
        self.intents = WriteIntents(engine)
        self.analytics = Analytics(engine)

    @classmethod
    def open(cls, url: str | URL = DEFAULT_URL) -> Self:
        """Connect to the store at `url` and apply the migrations it lacks."""
        try:
            parsed = make_url(url)
            engine = create_engine(parsed, json_serializer=_json_text, json_deserializer=msgspec.json.decode)
        except (ArgumentError, ImportError, ValueError) as exc:
            raise StoreError(
                f"state_url {_shown(url)} is not usable ({exc}); "
                'use "sqlite:///./leadsync.db" or "postgresql+psycopg://user@host/db"'
            ) from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif engine.dialect.name != "postgresql":
            raise StoreError(
                f"state_url {_shown(parsed)}: the state store runs on SQLite or PostgreSQL, "
                f"not {engine.dialect.name}"
            )
        try:
            upgrade(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = str(exc.orig if hasattr(exc, "orig") else exc).strip().splitlines()[0][:300]
            raise StoreError(
                f"cannot open the state store {_shown(parsed)}: {reason}. "
                "Check that the database is reachable and the user may create tables"
            ) from None
        return cls(engine)

    @property
    def url(self) -> str:
        """The store's address, password hidden."""
        return _shown(self.engine.url)

    def lease(self, pipeline: str) -> AbstractContextManager[None]:
        """Hold the pipeline's lease for a `with` block; raises LeaseHeld if another runner has it."""
        return lease(self.engine, pipeline)

    def forget(self, email: str) -> ForgetReport:
        """Erase the person with this e-mail from links, values, history, audit, quarantine, failures."""
        return forget(self.engine, email)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _shown(url: str | URL) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def _json_text(value: object) -> str:
    """A JSON column's value as text, by msgspec: the snapshots, values and audit entries the store
    writes were a fifth of its CPU under the standard library's encoder."""
    return _JSON.encode(value).decode()


_JSON: Final = msgspec.json.Encoder()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined] # a sqlite3.Connection
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    # A write-ahead log synced at checkpoints: a commit costs ~0.1 ms, not ~20 ms of fsyncs,
    # and survives a killed process (only a power cut may lose the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A read's pages touch random keys of every index: with SQLite's default 2 MiB page cache a
    # 10k-person initial read made 250k page reads from the OS; with 16 MiB, 18k (strace -c).
    cursor.execute(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
    # Checkpoint every ~40 MB of log, not every 4 MB: a page rewritten by many commits is copied
    # to the database once, and the 10k initial read syncs the disk 28 times, not 226.
    cursor.execute(f"PRAGMA wal_autocheckpoint={_SQLITE_CHECKPOINT_PAGES}")
    cursor.close()
