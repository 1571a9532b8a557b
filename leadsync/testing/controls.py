"""The sandbox controls: how the contract suite makes a sandboxed CRM do what real ones do.

The suite is the same for every CRM; what differs is how a sandbox is told to reject a record,
refuse a batch, spend its budget, expire a session, refuse a stream, lose a field, delete,
merge or commit late. Each sandbox implements every control in its API's own terms, with the
source of that behaviour noted, or declares it absent by raising `ControlAbsent` with the
reason its CRM has no equivalent: the suite then skips that case, saying why, and never fakes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, NoReturn, Protocol, Self

from leadsync.exceptions import LeadsyncError
from leadsync.model import RecordRef
from leadsync.testing.sandbox_server import CallLog

__all__ = ["ContractSandbox", "ControlAbsent", "SandboxControls", "TokensDoNotExpire"]


class ControlAbsent(LeadsyncError):  # noqa: N818 - a condition, not a fault (STYLE.md §3)
    """The CRM has no equivalent of a control; the message says why, and the case is skipped."""


class SandboxControls(Protocol):
    """What the contract suite tells a sandbox to do; a control the CRM lacks raises `ControlAbsent`.

    Records are named by the `RecordRef`s the adapter read; controls with a block undo
    themselves when it ends, so one seeded sandbox serves every case.
    """

    def write_calls(self) -> int:
        """Calls answered so far that wrote records: the evidence for the fewest write calls."""
        ...

    def bulk_edit(self, refs: Sequence[RecordRef]) -> None:
        """A person edits these records in one go, at the clock's instant: they share one stamp."""
        ...

    def commit_late(self, ref: RecordRef, stamped_at: datetime) -> None:
        """An edit to this record shows only now, stamped at the earlier `stamped_at`."""
        ...

    def delete(self, ref: RecordRef) -> None:
        """A person deletes the record."""
        ...

    def merge(self, survivor: RecordRef, merged: RecordRef) -> None:
        """A person merges `merged` into `survivor` (two records of one object type)."""
        ...

    def rejecting(self, ref: RecordRef) -> AbstractContextManager[None]:
        """In the block, a write batch is answered record by record, and this record's write is refused."""
        ...

    def refusing_batches_with(self, ref: RecordRef) -> AbstractContextManager[None]:
        """In the block, a write batch holding this record is refused whole, the record left unnamed."""
        ...

    def budget_spent(self) -> AbstractContextManager[None]:
        """In the block, the API allowance is spent: every call is refused as over budget."""
        ...

    def renewable_settings(self) -> dict[str, Any]:
        """Adapter settings whose credential the adapter renews by itself (an OAuth client, say)."""
        ...

    def expire_auth(self) -> None:
        """Every session issued so far expires now; `settings()` names a fresh one from then on."""
        ...

    def refusing_optional_stream(self) -> AbstractContextManager[None]:
        """In the block, the CRM refuses a stream to this account (its tier, a permission) that an
        account may well lack: an adapter skips it with a warning and reads the rest."""
        ...

    def field_dropped(self, field: str) -> AbstractContextManager[None]:
        """In the block, this CRM field is gone from every object's schema (deleted, or hidden from us)."""
        ...


class ContractSandbox(SandboxControls, Protocol):
    """A sandbox the contract suite can run: served as a context manager, counted, controlled."""

    @property
    def calls(self) -> CallLog:
        """Calls per endpoint answered so far."""
        ...

    def settings(self) -> dict[str, Any]:
        """The adapter settings that connect to this sandbox."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class TokensDoNotExpire:
    """The session controls of a CRM whose credential never expires (an API key, a private app's
    token): both absent, for the reason `no_expiry` gives."""

    no_expiry: ClassVar[str]

    def renewable_settings(self) -> NoReturn:
        """Absent: see `no_expiry`."""
        raise ControlAbsent(self.no_expiry)

    def expire_auth(self) -> NoReturn:
        """Absent: see `no_expiry`."""
        raise ControlAbsent(self.no_expiry)
