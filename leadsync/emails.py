"""Normalise e-mail addresses into the one key that links a person across CRMs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import idna

from leadsync.exceptions import ModelError

_LOCAL_ATOM = re.compile(r"^[^\s@\"(),:;<>\[\\\]]+$")
_ASCII_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_LENGTH = 254


@lru_cache(maxsize=65_536)
def normalize_email(raw: str) -> str:
    """The linking key of an address: trimmed, lower-case, domain in IDNA ASCII form.

    Local parts are case-sensitive in RFC 5321 but not at any mainstream mailbox provider,
    and CRMs compare them case-insensitively; so do we. `Jean@Bücher.DE` and
    `jean@xn--bcher-kva.de` give the same key.
    """
    text = (raw if raw.isascii() else unicodedata.normalize("NFC", raw)).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise ModelError(f"invalid e-mail {_shown(raw)}: expected one local part, '@' and a domain")
    local = local.lower()
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in local):
        raise ModelError(f"invalid e-mail {_shown(raw)}: it holds an invisible or control character")
    if not _LOCAL_ATOM.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise ModelError(
            f"invalid e-mail {_shown(raw)}: the part before '@' has a space, a quote, "
            "a bracket or misplaced dots"
        )
    ascii_domain = _ascii_domain(domain.lower().rstrip("."), raw)
    address = f"{local}@{ascii_domain}"
    if len(address) > _MAX_LENGTH or len(local) > 64:  # noqa: PLR2004 - RFC 5321 limits
        raise ModelError(f"invalid e-mail {_shown(raw)}: longer than RFC 5321 allows")
    return address


def _ascii_domain(domain: str, raw: str) -> str:
    if domain.isascii() and "xn--" not in domain:
        labels = domain.split(".")
        if len(labels) >= 2 and all(_ASCII_LABEL.match(label) for label in labels):  # noqa: PLR2004
            return domain
        raise ModelError(
            f"invalid e-mail {_shown(raw)}: the domain needs at least two dot-separated labels "
            "of letters, digits and inner hyphens"
        )
    try:
        encoded = idna.encode(domain, uts46=True).decode("ascii").rstrip(".")
    except idna.IDNAError as exc:
        raise ModelError(f"invalid e-mail {_shown(raw)}: the domain is not a valid IDN ({exc})") from None
    if "." not in encoded:
        raise ModelError(f"invalid e-mail {_shown(raw)}: the domain needs at least two labels")
    return encoded


def _shown(raw: str) -> str:
    """The input as quoted in an error, cut so a 1 MB string cannot flood a log line."""
    return repr(raw if len(raw) <= 80 else raw[:77] + "...")  # noqa: PLR2004
