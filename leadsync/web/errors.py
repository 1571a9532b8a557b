"""Records that went wrong, grouped by reason: quarantined reads, failed writes."""

from __future__ import annotations

from collections import defaultdict
from typing import Final

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
    by_reason: defaultdict[str, list[QuarantineEntry]] = defaultdict(list)
    for entry in entries:
        by_reason[entry.reason].append(entry)
    groups = [
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
        for reason, items in by_reason.items()
    ]
    return sorted(groups, key=lambda group: (-group.count, group.reason))


def _failure_groups(entries: list[WriteFailureEntry]) -> list[WriteFailureGroup]:
    by_code: defaultdict[str, list[WriteFailureEntry]] = defaultdict(list)
    for entry in entries:
        by_code[entry.code].append(entry)
    groups = [
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
        for code, items in by_code.items()
    ]
    return sorted(groups, key=lambda group: (-group.count, group.code))
