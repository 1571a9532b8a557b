"""The contract suite's controls (`leadsync.testing.SandboxControls`) and the org's sessions.

Each control does what a person, an admin or Salesforce itself does to a real org, through the
store's hooks; the one Salesforce has no equivalent of is declared absent, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final, NoReturn

from leadsync.model import RecordRef
from leadsync.testing import ControlAbsent, Sandbox

from .auth import Sessions
from .store import Store

__all__ = ["SalesforceControls"]

_OPTIONAL_OBJECT: Final = "CampaignMember"
_IMPORTED_TITLE: Final = "Imported title"


class SalesforceControls(Sandbox):
    """How the contract suite makes the sandboxed org act (see `SandboxControls`), and its sessions."""

    store: Store
    sessions: Sessions
    _session_id: str

    def write_calls(self) -> int:
        """sObject Collections and single-record PATCHes answered so far (every REST save is a PATCH here)."""
        return self.calls.count("PATCH")

    def bulk_edit(self, refs: Sequence[RecordRef]) -> None:
        """A person re-titles these records in one import, each save stamped by the clock (whole seconds)."""
        editor = self._editor()
        for ref in refs:
            self.store.update_as_user(ref.object_type, ref.record_id, editor, Title=_IMPORTED_TITLE)

    def commit_late(self, ref: RecordRef, stamped_at: datetime) -> None:
        """A transaction that started at `stamped_at` commits now (api-notes, "Salesforce late commits")."""
        self.store.update_as_user(
            ref.object_type, ref.record_id, self._editor(), stamped_at=stamped_at, Title=_IMPORTED_TITLE
        )

    def delete(self, ref: RecordRef) -> None:
        """Move the record to the recycle bin (`IsDeleted`, read by queryAll)."""
        self.store.delete(ref.object_type, ref.record_id)

    def merge(self, survivor: RecordRef, merged: RecordRef) -> None:
        """Merge two Leads or two Contacts, as Salesforce does (`merges.py`)."""
        self.store.merge(survivor.object_type, survivor.record_id, merged.record_id)

    @contextmanager
    def rejecting(self, ref: RecordRef) -> Iterator[None]:
        """A validation rule fails this record's save (FIELD_CUSTOM_VALIDATION_EXCEPTION) and no other's:
        sObject Collections with allOrNone false answer each record (api-notes, "Salesforce REST")."""
        self.store.reject_on_save(ref.record_id)
        try:
            yield
        finally:
            self.store.accept_saves(ref.record_id)

    def refusing_batches_with(self, ref: RecordRef) -> NoReturn:
        """Absent: Salesforce answers each record of a batch on its own."""
        raise ControlAbsent(
            "sObject Collections with allOrNone false answer each record on its own (REST API guide): "
            "a record Salesforce refuses never fails the rest of its batch"
        )

    @contextmanager
    def budget_spent(self) -> Iterator[None]:
        """The daily allowance is used up: calls answer 403 REQUEST_LIMIT_EXCEEDED (api-notes)."""
        used = self.store.usage.used
        self.store.set_api_usage(self.store.usage.limit)
        try:
            yield
        finally:
            self.store.set_api_usage(used)

    def renewable_settings(self) -> dict[str, Any]:
        """Settings of the client-credentials flow: the adapter asks the token endpoint for each session."""
        return {
            "token_url": f"{self.url}/services/oauth2/token",
            "client_id": self.sessions.client_id,
            "client_secret": self.sessions.client_secret,
            "ca_bundle": self.settings()["ca_bundle"],
            "api_version": self.settings()["api_version"],
        }

    def expire_auth(self) -> None:
        """Every session expires (calls answer 401 INVALID_SESSION_ID); `settings()` names a new one."""
        self.expire_sessions()
        self.renew_session()

    @contextmanager
    def refusing_optional_stream(self) -> Iterator[None]:
        """The integration user's profile loses Read on Campaigns, so CampaignMember is out of its sight:
        SOQL answers INVALID_TYPE and describe leaves it out, as for any object a user cannot see."""
        self.store.hidden_objects.add(_OPTIONAL_OBJECT)
        try:
            yield
        finally:
            self.store.hidden_objects.discard(_OPTIONAL_OBJECT)

    @contextmanager
    def field_dropped(self, field: str) -> Iterator[None]:
        """Field-level security hides the field from the integration user on every object."""
        before = self.store.hide_field(field)
        try:
            yield
        finally:
            self.store.restore_specs(before)

    # -- sessions --------------------------------------------------------------------------
    def expire_sessions(self) -> None:
        """Every session expires now: calls answer 401 INVALID_SESSION_ID until a new token."""
        self.sessions.expire_all()

    def renew_session(self) -> str:
        """A fresh session for the integration user, now the one `client()` and `settings()` use."""
        self._session_id = self.sessions.issue(self.store.integration_user_id)
        return self._session_id

    def expire_sessions_after(self, calls: int) -> None:
        """The current sessions expire once `calls` more authenticated calls were answered."""
        self.sessions.expire_after(calls)

    def _editor(self) -> str:
        """A person of the org: its first active user but the integration user."""
        users = self.store.records("User")
        return next(
            str(u["Id"]) for u in users if u["IsActive"] and u["Id"] != self.store.integration_user_id
        )
