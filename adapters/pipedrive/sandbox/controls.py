"""The contract suite's controls (`leadsync.testing.SandboxControls`), in Pipedrive's terms."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NoReturn

from leadsync.model import RecordRef
from leadsync.testing import ControlAbsent, Sandbox, TokensDoNotExpire

from . import shapes
from .oauth import OAuthApp

__all__ = ["PipedriveControls"]


class PipedriveControls(TokensDoNotExpire, Sandbox):
    """How the contract suite makes the sandboxed company act; `PipedriveSandbox` serves it."""

    no_expiry = (
        "a Pipedrive API token does not expire: there is one active token per user per company, and a "
        "person regenerates it (pipedrive.readme.io/docs/core-api-concepts-authentication); an OAuth "
        "app's access token does (tests/pipedrive: `expire_tokens`)"
    )

    persons: dict[int, dict[str, Any]]
    refused: set[int]  # person ids whose updates the company's validation refuses
    hidden: set[str]  # field codes gone from the company's person fields
    merged: dict[int, int]  # survivor id -> the id merged into it
    deals: dict[int, dict[str, Any]]  # GET /api/v2/deals
    leads: list[dict[str, Any]]  # GET /v1/leads, oldest first
    fields: list[dict[str, Any]]  # GET /api/v2/personFields
    tokens_spent: int
    daily_tokens: int
    oauth: OAuthApp
    lock: threading.Lock

    def write_calls(self) -> int:
        """PATCH calls answered so far: one per person written."""
        return self.calls.count("PATCH", "person update")

    def bulk_edit(self, refs: Sequence[RecordRef]) -> None:
        """An import re-titles these persons at the clock's second: every one shares its `update_time`."""
        with self.lock:
            for ref in refs:
                self.persons[int(ref.record_id)].update(job_title="Imported title", update_time=self.stamp())

    def commit_late(self, ref: RecordRef, stamped_at: datetime) -> None:
        """A save shows only now, stamped at `stamped_at` (what the adapter's lookback is for)."""
        with self.lock:
            self.persons[int(ref.record_id)].update(job_title="Imported title", update_time=stamped_at)

    def delete(self, ref: RecordRef) -> None:
        """`DELETE /api/v2/persons/{id}`: "Marks a person as deleted" (v2 spec); lists leave it out."""
        with self.lock:
            self.persons[int(ref.record_id)].update(is_deleted=True, update_time=self.stamp())

    def merge(self, survivor: RecordRef, merged: RecordRef) -> None:
        """A person merges `merged` into `survivor` (`PUT /v1/persons/{id}/merge`): `merged` is deleted,
        `survivor` saved, its v1 `merge_what_id` now `merged`'s id."""
        self.delete(merged)
        with self.lock:
            self.persons[int(survivor.record_id)]["update_time"] = self.stamp()
            self.merged[int(survivor.record_id)] = int(merged.record_id)

    def set_deal(self, person: RecordRef, status: str, lost_reason: str | None = None, deal: int = 0) -> int:
        """A rep opens (`open`), wins or loses a deal of this person, now; `deal` is an existing deal's
        id (0: a new one). Saving a deal leaves the person's own `update_time` as it is."""
        with self.lock:
            key = deal or len(self.deals) + 1
            self.deals[key] = shapes.deal(key, int(person.record_id), status, lost_reason, self.stamp())
            return key

    def add_lead(self, person: RecordRef, source_name: str = "Manually created") -> str:
        """A lead of this person lands in the Leads inbox now; its id. `source_name` is the lead source
        ("leads sourced from the Chatbot feature are assigned the value `Leadbooster`": v1 LeadSources);
        `origin` stays the recorded body's `ManuallyCreated` (no other value was found recorded)."""
        with self.lock:
            key = str(uuid.UUID(int=len(self.leads) + 1))
            self.leads.append(shapes.lead(key, int(person.record_id), source_name, self.clock.now()))
            return key

    def expire_tokens(self) -> None:
        """Every OAuth access token expires now; the app's refresh token still gets a new one."""
        with self.lock:
            self.oauth.expire()

    @contextmanager
    def rejecting(self, ref: RecordRef) -> Iterator[None]:
        """The company's validation refuses this person's updates: its PATCH answers 400."""
        self.refused.add(int(ref.record_id))
        try:
            yield
        finally:
            self.refused.discard(int(ref.record_id))

    def refusing_batches_with(self, ref: RecordRef) -> NoReturn:
        """Absent: Pipedrive has no batch update of persons; each PATCH carries one person."""
        raise ControlAbsent(
            "Pipedrive has no batch update of persons (PATCH /api/v2/persons/{id}, one person a call): "
            "there is no batch to refuse whole"
        )

    @contextmanager
    def budget_spent(self) -> Iterator[None]:
        """The company's daily token budget is spent (by any app of the company): every call answers 429."""
        with self.lock:
            spent, self.tokens_spent = self.tokens_spent, self.daily_tokens
        try:
            yield
        finally:
            with self.lock:
                self.tokens_spent = spent

    def refusing_optional_stream(self) -> NoReturn:
        """Absent: every endpoint the adapter reads is open to any user's API token."""
        raise ControlAbsent(
            "Pipedrive's persons, activities, fields, users and activity types are open to every user's "
            "API token (visibility is per record, not per endpoint): no stream is refused whole"
        )

    @contextmanager
    def field_dropped(self, field: str) -> Iterator[None]:
        """An admin deletes the person field labelled (or keyed) `field`: lists and persons lose it."""
        code = self.field_code(field)
        self.hidden.add(code)
        try:
            yield
        finally:
            self.hidden.discard(code)

    def stamp(self) -> datetime:
        """The clock's instant to the second, as Pipedrive stamps a save (RFC 3339, no fraction)."""
        return self.clock.now().replace(microsecond=0)

    def field_code(self, name: str) -> str:
        """The field code of the person field labelled or keyed `name`."""
        return next(str(f["field_code"]) for f in self.fields if name in (f["field_name"], f["field_code"]))
