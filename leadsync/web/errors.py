"""Records that went wrong, grouped by reason: quarantined reads, failed writes."""

from __future__ import annotations

from typing import Final

from leadsync.insights import QuarantineEntry, WriteFailureEntry, quarantine_view
from leadsync.web.context import Dashboard
from leadsync.web.models import (
    ErrorsOut,
    QuarantinedRecord,
    QuarantineGroup,
    WriteFailureGroup,
    WriteFailureRecord,
)

__all__ = ["ERRORS_SHOWN", "errors_out"]

ERRORS_SHOWN: Final = 1000


def errors_out(dashboard: Dashboard, *, limit: int = ERRORS_SHOWN) -> ErrorsOut:
    """Up to `limit` quarantined records grouped by reason, and up to `limit` records whose last
    write failed grouped by error code; largest group first."""
    view = quarantine_view(dashboard.store, limit=limit)
    return ErrorsOut(
        quarantined=len(view.quarantined),
        quarantine=_quarantine_groups(view.by_reason()),
        failed_writes=len(view.write_failures),
        write_failures=_failure_groups(view.by_code()),
    )


def _quarantine_groups(groups: list[tuple[str, list[QuarantineEntry]]]) -> list[QuarantineGroup]:
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
        for reason, items in groups
    ]


def _failure_groups(groups: list[tuple[str, list[WriteFailureEntry]]]) -> list[WriteFailureGroup]:
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
        for code, items in groups
    ]
