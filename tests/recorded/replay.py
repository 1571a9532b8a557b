"""A loopback server that answers with recorded bodies: the adapters meet real payloads, not our sandboxes'.

Each route, `(method, path)`, holds a queue of answers; the last one is repeated. Any other
request gets a 404 naming it, so a call the test did not expect fails loudly. Every request
is kept in `requests` (method, path, query string, JSON body).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from leadsync.testing.sandbox_server import LoopbackServer
from tests.recorded.shapes import recorded


@dataclass(frozen=True)
class Answer:
    """One answer: a status and a recorded body (a file under tests/fixtures/recorded)."""

    status: int
    name: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Replay:
    """The WSGI app: recorded answers by route, and the requests it saw."""

    routes: dict[tuple[str, str], list[Answer]]
    requests: list[tuple[str, str, str, Any]] = field(default_factory=list)

    def __call__(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        body = json.loads(request.get_data() or b"null")
        self.requests.append((request.method, request.path, request.query_string.decode(), body))
        queue = self.routes.get((request.method, request.path.rstrip("/") or "/"))
        if not queue:
            missing = {"replay": f"no recorded answer for {request.method} {request.path}"}
            return Response(json.dumps(missing), 404, content_type="application/json")(
                environ, start_response
            )
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        payload = json.dumps(recorded(answer.name))
        response = Response(
            payload, answer.status, headers=dict(answer.headers), content_type="application/json"
        )
        return response(environ, start_response)


@dataclass(frozen=True)
class Served:
    """Where the replay runs: base URL, the CA that signed its certificate (HTTPS only), the app."""

    url: str
    ca_bundle: Path | None
    app: Replay


@contextmanager
def replaying(routes: Mapping[tuple[str, str], list[Answer]], *, tls: bool = False) -> Iterator[Served]:
    """Serve the recorded answers on 127.0.0.1 (over HTTPS with `tls`: simple-salesforce speaks only that)."""
    app = Replay({(method, path.rstrip("/")): list(answers) for (method, path), answers in routes.items()})
    with LoopbackServer(app, tls=tls) as server:
        yield Served(server.url, server.ca_bundle, app)
