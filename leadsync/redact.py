"""Recognise secret-bearing keys so their values are never shown."""

from __future__ import annotations

import re
from collections.abc import Mapping

REDACTED = "[redacted]"

_SECRET_KEY = re.compile(
    r"(password|passwd|secret|token|session_id|sessionid|private_key|api_key|apikey|authorization|credential)",
    re.IGNORECASE,
)


def is_secret_key(name: str) -> bool:
    """Whether a config or log key names a credential (password, token, secret, key…)."""
    return _SECRET_KEY.search(name) is not None


def redacted(values: Mapping[str, object]) -> dict[str, object]:
    """A copy of `values` with every secret-bearing key's value replaced, nested mappings included."""
    return {
        key: REDACTED if is_secret_key(key) else redacted(value) if isinstance(value, Mapping) else value
        for key, value in values.items()
    }
