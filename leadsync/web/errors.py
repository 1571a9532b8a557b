"""Records that went wrong, grouped by reason: quarantined reads, failed writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Final, TypeVar

from leadsync.store import QuarantineEntry, Store, WriteFailureEntry
from leadsync.web.models import (
    ErrorsOut,
    QuarantinedRecord,
    QuarantineGroup,
    WriteFailureGroup,
    WriteFailureRecord,
)

__all__ = ["ERRORS_SHOWN", "errors_out"]

ERRORS_SHOWN: Final = 1000
_Entry = TypeVar("_Entry")


def errors_out(store: Store, *, limit: int = ERRORS_SHOWN) -> ErrorsOut:
    """Up to `limit` quarantined records grouped by reason, and up to `limit` records whose last
    write failed grouped by error code; largest group first."""
    quarantined = store.quarantine.entries(limit=limit)
    failures = store.write_failures.entries(limit=limit)
    return ErrorsOut(
        quarantined=len(quarantined),
        quarantine=_quarantine_groups(quarantined),
        failed_writes=len(failures),
        write_failures=_failure_groups(failures),
    )


def _quarantine_groups(entries: list[QuarantineEntry]) -> list[QuarantineGroup]:
    return [
        QuarantineGroup(
            reason=reason,
            count=len(items),
            records=[
                QuarantinedRecord(
                    record=str(e.ref),
                    crm=e.ref.crm,
                    excerpt=e.excerpt,
                    first_seen_at=e.first_seen_at,
                    last_seen_at=e.last_seen_at,
                )
                for e in items
            ],
        )
        for reason, items in _grouped(entries, lambda entry: entry.reason)
    ]


def _failure_groups(entries: list[WriteFailureEntry]) -> list[WriteFailureGroup]:
    return [
        WriteFailureGroup(
            code=code,
            count=len(items),
            records=[
                WriteFailureRecord(
                    record=str(e.ref),
                    crm=e.ref.crm,
                    run_id=e.run_id,
                    message=e.message,
                    first_failed_at=e.first_failed_at,
                    last_failed_at=e.last_failed_at,
                    attempts=e.attempts,
                )
                for e in items
            ],
        )
        for code, items in _grouped(entries, lambda entry: entry.code)
    ]


def _grouped(entries: Iterable[_Entry], key: Callable[[_Entry], str]) -> list[tuple[str, list[_Entry]]]:
    """The entries by key, the largest group first (then by key)."""
    groups: defaultdict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        groups[key(entry)].append(entry)
    return sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))
