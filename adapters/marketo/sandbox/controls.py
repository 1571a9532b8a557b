"""The contract suite's controls (`leadsync.testing.SandboxControls`), in Marketo's terms."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final, NoReturn

from leadsync.model import RecordRef
from leadsync.testing import ControlAbsent, Sandbox

from .leads import DELETE
from .log import ActivityLog

__all__ = ["NATIVE_FIELDS", "MarketoControls"]

# Salesforce field -> the Marketo field the native sync keeps it in (as the sandbox simulates it).
NATIVE_FIELDS: Final = {"Title": "title", "LeadSync_Temperature__c": "leadsyncTemperature"}


class MarketoControls(Sandbox):
    """How the contract suite makes the sandboxed instance act; `MarketoSandbox` serves it."""

    leads: dict[int, dict[str, Any]]
    log: ActivityLog
    refused: set[int]  # lead ids whose updates the instance refuses (1003)
    hidden: set[str]  # lead fields gone from describe2
    crm_managed: set[str]  # lead fields the native sync manages since it ran
    tokens: dict[str, datetime]
    calls_today: int
    daily_calls: int
    lock: threading.Lock

    def stamp(self) -> datetime:
        """The clock's instant to the second."""
        raise NotImplementedError

    def change(self, lead_id: int, values: dict[str, Any], at: datetime | None = None) -> None:
        """Set values, logged as Change Data Value activities (`LeadsApi`)."""
        raise NotImplementedError

    def write_calls(self) -> int:
        """`POST /rest/v1/leads.json` calls answered so far: one per 300 leads written."""
        return self.calls.count("POST", "lead update")

    def bulk_edit(self, refs: Sequence[RecordRef]) -> None:
        """An import re-titles these leads at the clock's second: each logs a Change Data Value."""
        with self.lock:
            for ref in refs:
                self.change(int(ref.record_id), {"title": f"Imported title {self.stamp():%H%M%S}"})

    def commit_late(self, ref: RecordRef, stamped_at: datetime) -> None:
        """A change dated `stamped_at` is written only now: an earlier date, the next activity id."""
        with self.lock:
            self.change(int(ref.record_id), {"title": "Late title"}, stamped_at)

    def delete(self, ref: RecordRef) -> None:
        """A person deletes the lead: it is gone, and Get Deleted Leads lists a Delete Lead activity."""
        with self.lock:
            lead_id = int(ref.record_id)
            lead = self.leads.pop(lead_id)
            self.log.add(lead_id, DELETE, self.stamp(), f"{lead['firstName']} {lead['lastName']}", {})

    def merge(self, survivor: RecordRef, merged: RecordRef) -> None:
        """A person merges `merged` into `survivor`: `merged` is deleted, `survivor` changed."""
        self.delete(merged)
        with self.lock:
            self.change(int(survivor.record_id), {"title": "Merged title"})

    @contextmanager
    def rejecting(self, ref: RecordRef) -> Iterator[None]:
        """The instance refuses this lead's updates: its record answers `skipped`, reason 1003."""
        self.refused.add(int(ref.record_id))
        try:
            yield
        finally:
            self.refused.discard(int(ref.record_id))

    def refusing_batches_with(self, ref: RecordRef) -> NoReturn:
        """Absent: leads.json answers each record on its own."""
        raise ControlAbsent(
            "Marketo answers every record of POST /rest/v1/leads.json on its own (`status`, `reasons`): "
            "no record makes it refuse the batch whole"
        )

    @contextmanager
    def budget_spent(self) -> Iterator[None]:
        """The subscription's daily quota is spent (by any integration): every REST call answers 607."""
        with self.lock:
            spent, self.calls_today = self.calls_today, self.daily_calls
        try:
            yield
        finally:
            with self.lock:
                self.calls_today = spent

    def renewable_settings(self) -> dict[str, Any]:
        """The custom service's client credentials: the adapter asks Identity for tokens itself."""
        return self.settings()

    def expire_auth(self) -> None:
        """Every access token ends now: calls carrying one answer 602, Identity gives a new one."""
        with self.lock:
            now = self.clock.now()
            for token in self.tokens:
                self.tokens[token] = min(self.tokens[token], now)

    def refusing_optional_stream(self) -> NoReturn:
        """Absent: every activity is behind one permission."""
        raise ControlAbsent(
            "a Marketo API role reads every activity type or none (the Read-Only Activity permission): "
            "no activity stream is refused while another is served"
        )

    def native_sync(self, salesforce_record: Callable[[str, str], dict[str, Any] | None]) -> int:
        """Marketo's native Salesforce sync runs: each synced lead takes the values of its Salesforce
        record's `NATIVE_FIELDS` (copied as Salesforce holds them) and those fields become
        `crmManaged`; the number of leads changed. `salesforce_record(object, id)` reads Salesforce."""
        changed = 0
        with self.lock:
            self.crm_managed.update(NATIVE_FIELDS.values())
            for lead_id, lead in self.leads.items():
                sobject, record_id = (
                    ("Contact", lead.get("sfdcContactId"))
                    if lead.get("sfdcContactId")
                    else ("Lead", lead.get("sfdcLeadId"))
                )
                record = salesforce_record(sobject, str(record_id)) if record_id else None
                copied = (
                    {ours: record.get(theirs) for theirs, ours in NATIVE_FIELDS.items()} if record else {}
                )
                if any(lead.get(k) != v for k, v in copied.items()):
                    self.change(lead_id, copied)
                    changed += 1
        return changed

    @contextmanager
    def field_dropped(self, field: str) -> Iterator[None]:
        """An admin deletes (or hides from the API) the lead field `field`."""
        self.hidden.add(field)
        try:
            yield
        finally:
            self.hidden.discard(field)
