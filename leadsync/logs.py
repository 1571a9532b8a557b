"""structlog set-up: stable `noun.verb` events on stderr, JSON for daemons, secrets redacted.

The level is `info` unless `LEADSYNC_LOG_LEVEL` names another (`debug` adds one `crm.call`
event per CRM API call); a name structlog does not know falls back to `info`, with a warning.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from typing import Any, Final, TextIO

import structlog

from leadsync.redact import REDACTED, is_secret_key

LEVEL_VARIABLE: Final = "LEADSYNC_LOG_LEVEL"
_LEVELS: Final = ("debug", "info", "warning", "error", "critical")


def redact_secrets(
    _logger: object, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of every secret-named key (token, password, session…): a backstop."""
    for key in list(event):
        if is_secret_key(key):
            event[key] = REDACTED
    return event


def configure_logging(*, json: bool, level: str | None = None, stream: TextIO | None = None) -> None:
    """Route every leadsync log line at `level` or above (by default `LEADSYNC_LOG_LEVEL`, else
    info) to `stream` (stderr by default) as JSON or console text."""
    asked = (level or os.environ.get(LEVEL_VARIABLE) or "info").strip().lower()
    chosen = asked if asked in _LEVELS else "info"
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
        wrapper_class=structlog.make_filtering_bound_logger(chosen),
        logger_factory=lambda *_names: structlog.PrintLogger(stream or sys.stderr),  # stderr as it is now
        cache_logger_on_first_use=False,
    )
    if chosen != asked:
        structlog.get_logger(__name__).warning(
            "logs.level_unknown", variable=LEVEL_VARIABLE, value=asked[:20], using=chosen, choices=_LEVELS
        )
