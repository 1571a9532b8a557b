"""`SalesforceSandbox`: a seeded org served over HTTPS on 127.0.0.1, with its handles for tests."""

from __future__ import annotations

import gc
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType

import requests
from simple_salesforce.api import Salesforce

from adapters.sandbox_server import CallLog, Faults, LoopbackServer, with_accounting
from adapters.seed import population, seed_instant
from leadsync.adapter_api import Clock

from .app import VERSIONS, SalesforceApp
from .auth import Sessions
from .faults import FaultRenderer
from .ids import make_id
from .records import seed_store
from .store import Store

__all__ = ["SalesforceSandbox"]


class SalesforceSandbox:
    """A stateful Salesforce REST emulator seeded from `adapters.seed.population`.

    Use it as a context manager. `clock` is the org's time: the population is seeded up to
    its instant at start-up (to the millisecond, kept as `now`), and every save is stamped by
    it, so tests share one `ManualClock` with leadsync. The unmodified simple-salesforce client talks to
    it: `client()` is one, ready; `credentials` and `settings()` say how to build another.
    """

    def __init__(
        self,
        people: int = 1000,
        seed: int = 7,
        *,
        clock: Clock,
        daily_limit: int = 100_000,
        api_version: str = "59.0",
        port: int = 0,
        seeded_at: datetime | None = None,
    ) -> None:
        if api_version not in VERSIONS:
            raise ValueError(f"api_version must be one of {', '.join(VERSIONS)}, got {api_version!r}")
        self.api_version = api_version
        self.clock = clock
        self.now = seed_instant(clock.now(), seeded_at)
        self.store = Store(clock, daily_limit=daily_limit)
        with _collector_paused():  # millions of long-lived objects: GC passes would only cost time
            seed_store(self.store, population(people, seed, now=self.now))
        self.faults = Faults(seed)
        self.calls = CallLog()
        self.sessions = Sessions(
            make_id("Organization", 1_000_000 + seed), self.clock,
            client_id=f"3MVG9{secrets.token_urlsafe(60)}", client_secret=secrets.token_hex(32).upper(),
        )  # fmt: skip
        self._app = SalesforceApp(self.store, self.sessions, self.calls, lambda: self.url)
        served = with_accounting(
            self._app, self.calls, self.faults, endpoint_of=self._app.endpoint_of,
            render_fault=FaultRenderer(self._app, self.sessions, self.store, seed=seed),
        )  # fmt: skip
        self._server = LoopbackServer(served, tls=True, port=port)
        self._session_id = ""

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> SalesforceSandbox:
        """Serve, and open the integration user's first session."""
        self._server.start()
        self._session_id = self.sessions.issue(self.store.integration_user_id)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> SalesforceSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- how to connect --------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The instance URL, e.g. https://127.0.0.1:53211."""
        return self._server.url

    @property
    def ca_bundle(self) -> Path:
        """The throwaway CA that signed the server's certificate."""
        if self._server.ca_bundle is None:
            raise RuntimeError("the Salesforce sandbox is not running; use it as a context manager")
        return self._server.ca_bundle

    @property
    def credentials(self) -> dict[str, str]:
        """Everything a client needs: instance, session, CA, version, and the token endpoint's app."""
        return {
            **self.settings(),
            "token_url": f"{self.url}/services/oauth2/token",
            "client_id": self.sessions.client_id,
            "client_secret": self.sessions.client_secret,
        }

    def settings(self) -> dict[str, str]:
        """What `leadsync sandbox --format json` prints: instance_url, session_id, ca_bundle, api_version."""
        return {
            "instance_url": self.url,
            "session_id": self._session_id,
            "ca_bundle": str(self.ca_bundle),
            "api_version": self.api_version,
        }

    def session(self) -> requests.Session:
        """A requests session that trusts the sandbox CA and ignores *_CA_BUNDLE variables."""
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.ca_bundle)
        return session

    def client(self, session_id: str | None = None) -> Salesforce:
        """A ready `simple_salesforce.Salesforce` (the first session unless another is given)."""
        return Salesforce(
            instance_url=self.url, session_id=session_id or self._session_id,
            session=self.session(), version=self.api_version,
        )  # fmt: skip

    # -- sessions --------------------------------------------------------------------------
    def expire_sessions(self) -> None:
        """Every session expires now: calls answer 401 INVALID_SESSION_ID until a new token."""
        self.sessions.expire_all()

    def renew_session(self) -> str:
        """A fresh session for the integration user, now the one `client()` and `settings()` use."""
        self._session_id = self.sessions.issue(self.store.integration_user_id)
        return self._session_id

    def expire_sessions_after(self, calls: int) -> None:
        """The current sessions expire once `calls` more authenticated calls were answered."""
        self.sessions.expire_after(calls)


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
