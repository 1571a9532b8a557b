"""Records that could not be read cleanly: why, and a short excerpt with secrets cut out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from sqlalchemy import Engine, Row, delete, func, select

from leadsync.adapter_api import Rejection
from leadsync.model import RecordRef
from leadsync.redact import REDACTED
from leadsync.store.entries import QuarantineEntry, ref_matches, refs_in
from leadsync.store.schema import quarantine
from leadsync.store.upsert import upsert

__all__ = ["EXCERPT_CHARS", "Quarantine", "safe_excerpt"]

EXCERPT_CHARS: Final = 500
_HIDDEN_KEY: Final = (  # starts where a name starts: a scan from inside every word is quadratic
    r"(?<![\w.-])[\"']?[\w.-]*(?:password|passwd|secret|token|session_?id|private_key|api_?key|authorization|credential)"
    r"[\w.-]*[\"']?"
)
# `"token": "abc"`, `token=abc`, `Authorization: Bearer abc`: the value after a secret-bearing name.
_SECRET_VALUE: Final = re.compile(
    rf"(?P<name>{_HIDDEN_KEY}\s*[:=]\s*)(?P<value>\"[^\"]*\"|'[^']*'|(?:bearer\s+)?[^\s,;&}}]+)",
    re.IGNORECASE,
)


def safe_excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` with values of secret-bearing keys replaced, then cut to `limit` characters."""
    cleaned = _SECRET_VALUE.sub(lambda m: f"{m['name']}{REDACTED}", text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


class Quarantine:
    """Quarantined records, one entry per record: the latest reason wins, first sighting is kept."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(self, rejections: Iterable[Rejection], *, at: datetime) -> None:
        """Quarantine these records, or refresh their reason and excerpt if already there."""
        rows: list[dict[str, object]] = [
            {
                "crm": r.ref.crm,
                "object_type": r.ref.object_type,
                "record_id": r.ref.record_id,
                "reason": safe_excerpt(r.reason, 2 * EXCERPT_CHARS),
                "excerpt": safe_excerpt(r.excerpt),
                "first_seen_at": at,
                "last_seen_at": at,
            }
            for r in rejections
        ]
        with self._engine.begin() as conn:
            upsert(conn, quarantine, rows, update=("reason", "excerpt", "last_seen_at"))

    def clear(self, refs: Iterable[RecordRef]) -> None:
        """Release these records (they read clean now); refs not quarantined are ignored."""
        with self._engine.begin() as conn:
            for where in refs_in(quarantine, list(refs)):
                conn.execute(delete(quarantine).where(where))

    def refs(self, crm: str) -> set[RecordRef]:
        """The records of `crm` in quarantine (few: one entry per record that reads badly)."""
        key = (quarantine.c.crm, quarantine.c.object_type, quarantine.c.record_id)
        with self._engine.connect() as conn:
            return {RecordRef(*row) for row in conn.execute(select(*key).where(quarantine.c.crm == crm))}

    def get(self, ref: RecordRef) -> QuarantineEntry | None:
        """The record's quarantine entry, if it is quarantined."""
        with self._engine.connect() as conn:
            row = conn.execute(select(quarantine).where(ref_matches(quarantine, ref))).one_or_none()
        return None if row is None else _entry(row)

    def entries(self, *, crm: str | None = None, limit: int = 1000) -> list[QuarantineEntry]:
        """Quarantined records, most recently seen first."""
        query = (
            select(quarantine)
            .order_by(quarantine.c.last_seen_at.desc(), quarantine.c.crm, quarantine.c.record_id)
            .limit(limit)
        )
        if crm is not None:
            query = query.where(quarantine.c.crm == crm)
        with self._engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def counts_by_crm(self) -> dict[str, int]:
        """Quarantined records per CRM (the CRMs with some), by name."""
        query = select(quarantine.c.crm, func.count()).group_by(quarantine.c.crm).order_by(quarantine.c.crm)
        with self._engine.connect() as conn:
            return {crm: int(count) for crm, count in conn.execute(query)}


def _entry(row: Row[tuple[object, ...]]) -> QuarantineEntry:
    return QuarantineEntry(
        ref=RecordRef(row.crm, row.object_type, row.record_id),
        reason=row.reason,
        excerpt=row.excerpt,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
    )
