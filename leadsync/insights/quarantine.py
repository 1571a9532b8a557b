"""The quarantine read model: records that could not be read cleanly, and records whose last write
failed, each grouped by why, as `leadsync quarantine`, the Errors page and `/api/quarantine` show them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from leadsync.store import QuarantineEntry, Store, WriteFailureEntry

__all__ = ["QuarantineEntry", "QuarantineView", "WriteFailureEntry", "quarantine_view"]

_Entry = TypeVar("_Entry")


@dataclass(frozen=True, slots=True)
class QuarantineView:
    """Up to a limit of quarantined records (most recently seen first) and of records whose last
    write failed (most recently failed first); `*_truncated` when the store keeps more."""

    quarantined: list[QuarantineEntry]
    quarantined_truncated: bool
    write_failures: list[WriteFailureEntry]
    write_failures_truncated: bool

    def by_reason(self) -> list[tuple[str, list[QuarantineEntry]]]:
        """The quarantined records grouped by reason, the largest group first (then by reason)."""
        return _grouped(self.quarantined, lambda entry: entry.reason)

    def by_code(self) -> list[tuple[str, list[WriteFailureEntry]]]:
        """The failed writes grouped by the CRM's error code, the largest group first (then by code)."""
        return _grouped(self.write_failures, lambda entry: entry.code)


def quarantine_view(store: Store, *, limit: int, crm: str | None = None) -> QuarantineView:
    """Up to `limit` of each (only `crm`'s records, when given)."""
    found = store.quarantine.entries(crm=crm, limit=limit + 1)
    failing = store.write_failures.entries(crm=crm, limit=limit + 1)
    return QuarantineView(found[:limit], len(found) > limit, failing[:limit], len(failing) > limit)


def _grouped(entries: Iterable[_Entry], key: Callable[[_Entry], str]) -> list[tuple[str, list[_Entry]]]:
    """The entries by key, the largest group first (then by key)."""
    groups: defaultdict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        groups[key(entry)].append(entry)
    return sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))
