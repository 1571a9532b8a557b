"""The contract suite's controls (`leadsync.testing.SandboxControls`), in the toy CRM's terms.

Each does to the sandboxed account what a person or the toy CRM itself does to a real one; the
four the toy CRM has no equivalent of are declared absent, with the reason the suite prints.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, NoReturn

from leadsync.model import RecordRef
from leadsync.testing import ControlAbsent, Fault, Sandbox, TokensDoNotExpire

__all__ = ["ToyControls"]


class ToyControls(TokensDoNotExpire, Sandbox):
    """How the contract suite makes the sandboxed account act; `ToySandbox` serves it."""

    no_expiry = "the toy CRM's API keys do not expire (a person revokes one): there is no session to renew"

    records: dict[str, dict[str, Any]]
    refused: set[str]  # ids whose updates a validation rule refuses
    hidden: set[str]  # fields gone from the account's schema
    lock: threading.Lock

    def write_calls(self) -> int:
        """Update calls answered so far."""
        return self.calls.count("POST", "people update")

    def bulk_edit(self, refs: Sequence[RecordRef]) -> None:
        """A person re-titles these people in one import: every save is stamped at the clock's instant."""
        with self.lock:
            for ref in refs:
                self.records[ref.record_id].update(title="Imported title", updated_at=self.stamp())

    def commit_late(self, ref: RecordRef, stamped_at: datetime) -> None:
        """A long save commits now, stamped when it started (the toy CRM's reference, "Stamps")."""
        with self.lock:
            self.records[ref.record_id].update(title="Imported title", updated_at=stamped_at)

    def delete(self, ref: RecordRef) -> None:
        """A person deletes the record: a tombstone is listed in its place."""
        self._bury(ref.record_id, None)

    def merge(self, survivor: RecordRef, merged: RecordRef) -> None:
        """A person merges `merged` into `survivor`: `merged` becomes a tombstone naming it; it is saved."""
        self._bury(merged.record_id, survivor.record_id)
        with self.lock:
            self.records[survivor.record_id]["updated_at"] = self.stamp()

    @contextmanager
    def rejecting(self, ref: RecordRef) -> Iterator[None]:
        """A validation rule of the account refuses this person's updates (422 validation-failed)."""
        self.refused.add(ref.record_id)
        try:
            yield
        finally:
            self.refused.discard(ref.record_id)

    def refusing_batches_with(self, ref: RecordRef) -> NoReturn:
        """Absent: the toy CRM answers each person of an update on its own."""
        raise ControlAbsent(
            "the toy CRM answers each person of an update on its own (POST /v1/people/update): "
            "one it refuses never fails the rest of the batch"
        )

    def budget_spent(self) -> AbstractContextManager[None]:
        """The day's allowance is spent: every call answers 429 daily-limit."""
        return self.faults.always(Fault("daily_limit"))

    def refusing_optional_stream(self) -> NoReturn:
        """Absent: the toy CRM has one stream."""
        raise ControlAbsent("the toy CRM has one stream, people, and every account may read it")

    @contextmanager
    def field_dropped(self, field: str) -> Iterator[None]:
        """An admin deletes the field: the fields call lists it no more, and people show it no more."""
        self.hidden.add(field)
        try:
            yield
        finally:
            self.hidden.discard(field)

    def stamp(self) -> datetime:
        """The clock's instant to the millisecond, as the toy CRM stamps a save."""
        now = self.clock.now()
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    def _bury(self, record_id: str, survivor: str | None) -> None:
        with self.lock:
            tombstone = {
                "id": record_id,
                "deleted": True,
                "merged_into": survivor,
                "updated_at": self.stamp(),
            }
            self.records[record_id] = tombstone
