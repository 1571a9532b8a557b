"""The contract suite's controls (`leadsync.testing.SandboxControls`), in HubSpot's terms.

Each one does what a person, an admin or HubSpot itself does to a real portal, through the
store's hooks; the two HubSpot has no equivalent of are declared absent, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Final, NoReturn

from leadsync.model import RecordRef
from leadsync.testing import ControlAbsent, Fault, Sandbox, TokensDoNotExpire

from .app import HubSpotApp
from .store import HubSpotStore

__all__ = ["HubSpotControls"]

_WRITES: Final = (" batch/update", "PATCH ", " unsubscribe-all")  # parts of a write call's log key


class HubSpotControls(TokensDoNotExpire, Sandbox):
    """How the contract suite makes the sandboxed portal act (see `SandboxControls`)."""

    no_expiry = (
        "the HubSpot adapter signs in with a private app's access token, which does not expire (a person "
        "rotates it): there is no session to renew"
    )

    store: HubSpotStore
    app: HubSpotApp

    def write_calls(self) -> int:
        """Batch updates, single PATCHes and unsubscribes answered so far."""
        counted = self.calls.snapshot().items()
        return sum(n for key, n in counted if any(part in key for part in _WRITES))

    def bulk_edit(self, refs: Sequence[RecordRef]) -> None:
        """A person edits these contacts' job titles in one import: each write is stamped by the clock."""
        for ref in refs:
            self.store.update_as_user(ref.record_id, jobtitle="Imported title")

    def commit_late(self, ref: RecordRef, stamped_at: datetime) -> NoReturn:
        """Absent: no late commit of HubSpot's is documented."""
        raise ControlAbsent(
            "no documented HubSpot write shows up stamped (lastmodifieddate) before records already "
            "visible, as Salesforce's do (SystemModstamp is taken when a transaction starts); the "
            "sandbox emulates none"
        )

    def delete(self, ref: RecordRef) -> None:
        """Archive the record, as a person deleting it in HubSpot does."""
        self.store.archive(ref.object_type, ref.record_id)

    def merge(self, survivor: RecordRef, merged: RecordRef) -> None:
        """Merge `merged` into `survivor`, as HubSpot's merge does."""
        self.store.merge(survivor.record_id, merged.record_id)

    def rejecting(self, ref: RecordRef) -> AbstractContextManager[None]:
        """A batch update leaves this record unwritten behind a 207 error naming no id (api-notes,
        "Corrections, 2026-12": 207 errors may come without `context.ids`)."""
        return self._refusing(self.store.fail_unnamed, ref)

    def refusing_batches_with(self, ref: RecordRef) -> AbstractContextManager[None]:
        """A write to this record fails its whole batch with a 400 naming no input (a bad value fails
        the whole batch: api-notes, "HubSpot CRM v3")."""
        return self._refusing(self.store.reject_writes, ref)

    def budget_spent(self) -> AbstractContextManager[None]:
        """The daily allowance is spent: every call answers the 429 of policy DAILY (api-notes)."""
        return self.faults.always(Fault("rate_limit", headers={"policyName": "DAILY"}))

    @contextmanager
    def refusing_optional_stream(self) -> Iterator[None]:
        """The portal drops below Enterprise: the events API answers 403 (api-notes, Corrections 2026-12)."""
        tier, self.app.tier = self.app.tier, "professional"
        try:
            yield
        finally:
            self.app.tier = tier

    @contextmanager
    def field_dropped(self, field: str) -> Iterator[None]:
        """An admin archives the property (`DELETE /crm/v3/properties/{type}/{name}`)."""
        self.store.archive_property(field)
        try:
            yield
        finally:
            self.store.archive_property(field, restore=True)

    @contextmanager
    def _refusing(self, refuse: Callable[[str], None], ref: RecordRef) -> Iterator[None]:
        refuse(ref.record_id)
        try:
            yield
        finally:
            self.store.accept_writes(ref.record_id)
