"""`SalesforceSandbox`: a seeded org served over HTTPS on 127.0.0.1, with its handles for tests."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

import requests
from simple_salesforce.api import Salesforce

from leadsync.adapter_api import Clock
from leadsync.testing import ContractSandbox, collector_paused

from .app import VERSIONS, SalesforceApp
from .auth import Sessions
from .controls import SalesforceControls
from .faults import FaultRenderer
from .ids import make_id
from .records import seed_store
from .store import Store

__all__ = ["SalesforceSandbox"]


class SalesforceSandbox(SalesforceControls):
    """A stateful Salesforce REST emulator seeded from `leadsync.testing.seed.population`.

    Use it as a context manager; `clock` is the org's time (see `Sandbox`), and every save is
    stamped by it. The unmodified simple-salesforce client talks to it: `client()` is one,
    ready; `credentials` and `settings()` say how to build another.
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
        super().__init__(clock=clock, seed=seed, seeded_at=seeded_at)
        self.api_version = api_version
        self.store = Store(clock, daily_limit=daily_limit)
        with collector_paused(people):
            seed_store(self.store, self.population(people))
        self.sessions = Sessions(
            make_id("Organization", 1_000_000 + seed), clock,
            client_id=f"3MVG9{secrets.token_urlsafe(60)}", client_secret=secrets.token_hex(32).upper(),
        )  # fmt: skip
        app = SalesforceApp(self.store, self.sessions, self.calls, lambda: self.url)
        renderer = FaultRenderer(app, self.sessions, self.store, seed=seed)
        self.serve(app, endpoint_of=app.endpoint_of, render_fault=renderer, tls=True, port=port)
        self._session_id = ""

    def start(self) -> Self:
        """Serve, and open the integration user's first session."""
        super().start()
        self.renew_session()
        return self

    # -- how to connect --------------------------------------------------------------------
    @property
    def ca_bundle(self) -> Path:
        """The throwaway CA that signed the server's certificate."""
        if self.server.ca_bundle is None:
            raise RuntimeError("the Salesforce sandbox is not running; use it as a context manager")
        return self.server.ca_bundle

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


if TYPE_CHECKING:  # mypy proves the sandbox offers every control the contract suite asks for
    _CONTRACT: type[ContractSandbox] = SalesforceSandbox
