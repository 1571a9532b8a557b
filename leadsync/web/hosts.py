"""Which `Host` names the dashboard answers to, so that no web page reaches it by DNS rebinding.

A page on any site can make its own name resolve to 127.0.0.1 and then read the dashboard as
its "same origin"; its requests still carry that name in `Host`, so only known names are served.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["LOOPBACK_NAMES", "trusted_hosts"]

LOOPBACK_NAMES: Final = ("localhost", "127.0.0.1", "[::1]")
"""Always answered (on any port): the names a browser on this machine uses."""

_EVERY_ADDRESS: Final = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - compared, never bound


def trusted_hosts(listen_host: str, configured: Iterable[str]) -> tuple[str, ...]:
    """The `Host` names, without port, to answer: loopback, `configured` ([web] allowed_hosts) and
    the address the dashboard listens on, unless that is every address."""
    name = listen_host.strip("[]").lower()
    listened = () if name in _EVERY_ADDRESS else (f"[{name}]" if ":" in name else name,)
    return tuple(dict.fromkeys((*LOOPBACK_NAMES, *configured, *listened)))
