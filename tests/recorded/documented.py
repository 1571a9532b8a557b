"""Which requests the vendors document, and a recording proxy that shows which ones an adapter sends.

HubSpot: the (method, path template) of every operation in its public OpenAPI specs for the
APIs leadsync calls, extracted to `hubspot_documented_operations.json` (provenance inside).
Salesforce: the REST resources leadsync uses, each with its page in the REST API Developer
Guide. Pipedrive: every operation of its OpenAPI documents "Pipedrive API v1" and "v2", as
pipedrive/client-nodejs is generated from them, in `pipedrive_documented_operations.json`
(provenance inside). A request matching no template is undocumented: the test that sent it fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

from leadsync.testing.sandbox_server import LoopbackServer

_HERE = Path(__file__).resolve().parent
_GUIDE = "Salesforce REST API Developer Guide, "

SALESFORCE_RESOURCES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/services/data", f"{_GUIDE}Versions"),
    ("GET", "/services/data/v{version}", f"{_GUIDE}Resources by Version"),
    ("GET", "/services/data/v{version}/limits", f"{_GUIDE}Limits"),
    ("GET", "/services/data/v{version}/query", f"{_GUIDE}Query"),
    ("GET", "/services/data/v{version}/query/{queryLocator}", f"{_GUIDE}Query More Results"),
    ("GET", "/services/data/v{version}/queryAll", f"{_GUIDE}QueryAll"),
    ("GET", "/services/data/v{version}/queryAll/{queryLocator}", f"{_GUIDE}QueryAll More Results"),
    ("GET", "/services/data/v{version}/sobjects", f"{_GUIDE}Describe Global"),
    ("GET", "/services/data/v{version}/sobjects/{sObject}/describe", f"{_GUIDE}sObject Describe"),
    ("GET", "/services/data/v{version}/sobjects/{sObject}/{id}", f"{_GUIDE}sObject Rows"),
    ("PATCH", "/services/data/v{version}/sobjects/{sObject}/{id}", f"{_GUIDE}sObject Rows"),
    (
        "PATCH",
        "/services/data/v{version}/composite/sobjects",
        f"{_GUIDE}Update Records Using sObject Collections",
    ),
    ("POST", "/services/oauth2/token", "Salesforce Help, OAuth 2.0 Client Credentials Flow"),
)


def hubspot_operations() -> list[tuple[str, str]]:
    """Every documented HubSpot (method, path template) kept in `hubspot_documented_operations.json`."""
    data = json.loads((_HERE / "hubspot_documented_operations.json").read_text(encoding="utf-8"))
    groups = [*data["specs"], *data["legacy"]]
    return [(method, path) for group in groups for method, path in group["operations"]]


def pipedrive_operations() -> list[tuple[str, str]]:
    """Every documented Pipedrive (method, path template) kept in `pipedrive_documented_operations.json`."""
    data = json.loads((_HERE / "pipedrive_documented_operations.json").read_text(encoding="utf-8"))
    return [(method, path) for group in data["specs"] for method, path in group["operations"]]


def salesforce_operations() -> list[tuple[str, str]]:
    """The Salesforce REST resources leadsync uses, as (method, path template)."""
    return [(method, path) for method, path, _page in SALESFORCE_RESOURCES]


def undocumented(sent: Iterable[tuple[str, str]], operations: Iterable[tuple[str, str]]) -> list[str]:
    """`METHOD path` of each request that matches no documented operation (a trailing slash is ignored)."""
    patterns = [(method, _pattern(template)) for method, template in operations]
    return sorted(
        {
            f"{method} {path}"
            for method, path in sent
            if not any(m == method and p.fullmatch(path.rstrip("/")) for m, p in patterns)
        }
    )


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template.rstrip("/"))
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


@dataclass
class RecordingProxy:
    """A WSGI app forwarding every request to `target` and keeping its (method, path)."""

    target: str
    verify: str | bool = True
    sent: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.verify = self.verify

    def __call__(self, environ: Any, start_response: Any) -> Iterator[bytes]:
        request = Request(environ)
        self.sent.append((request.method, request.path))
        skip = {"host", "content-length", "connection", "accept-encoding"}
        answer = self._session.request(
            request.method,
            self.target + request.full_path.rstrip("?"),
            headers={k: v for k, v in request.headers.items() if k.lower() not in skip},
            data=request.get_data(),
            timeout=30,
        )
        hop = {"content-length", "content-encoding", "transfer-encoding", "connection"}
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in hop]
        return Response(answer.content, answer.status_code, headers=headers)(environ, start_response)


@contextmanager
def recording_proxy(
    target: str, *, ca_bundle: Path | None = None
) -> Iterator[tuple[LoopbackServer, RecordingProxy]]:
    """Serve a recording proxy in front of `target` (over HTTPS with its own CA when the target is HTTPS)."""
    proxy = RecordingProxy(target, verify=str(ca_bundle) if ca_bundle else True)
    with LoopbackServer(proxy, tls=target.startswith("https")) as server:
        yield server, proxy
