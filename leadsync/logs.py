"""structlog set-up: stable `noun.verb` events on stderr, JSON for daemons, secrets redacted."""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from leadsync.redact import REDACTED, is_secret_key


def redact_secrets(
    _logger: object, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of every secret-named key (token, password, session…): a backstop."""
    for key in list(event):
        if is_secret_key(key):
            event[key] = REDACTED
    return event


def configure_logging(*, json: bool, level: str = "info", stream: TextIO | None = None) -> None:
    """Route every leadsync log line to `stream` (stderr by default) as JSON or console text."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=lambda *_names: structlog.PrintLogger(stream or sys.stderr),  # stderr as it is now
        cache_logger_on_first_use=False,
    )
