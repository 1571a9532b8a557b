"""Managed values both ways: read what the CRM holds now, and write changes by sObject Collections.

Each record's mapped fields are kept as last read or written (a record not read yet is read
before its write), so every result says what each field held before it: the audit a rollback
restores from. A change's raw `properties` are sent as given: an OwnerId may name a queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any, Final

from leadsync.adapter_api import Change, CrmMapping, CurrentValues, WriteResult
from leadsync.kit import (
    CallRefused,
    HeldValues,
    Prepared,
    RecordRetries,
    Refused,
    RetryPolicy,
    WriteValues,
    fan_out,
)
from leadsync.model import RecordRef

from .client import ERRORS, SalesforceClient
from .options import SalesforceOptions
from .owners import OwnerDirectory
from .soql import salesforce_datetime, select_list, soql_string

__all__ = ["Writer"]

_IDS_PER_QUERY: Final = 200
_QUERY_BATCH: Final = 2000


class Writer:
    """Reads and writes the managed fields a mapping names, and refuses every other field."""

    def __init__(
        self,
        client: SalesforceClient,
        mapping: CrmMapping,
        owners: OwnerDirectory,
        options: SalesforceOptions,
        sleep: Callable[[float], None],
    ) -> None:
        self._client, self._mapping, self._owners = client, mapping, owners
        self._values = WriteValues(mapping)
        self._headers = {"Sforce-Auto-Assign": "TRUE" if options.run_assignment_rules else "FALSE"}
        self._batch_size, self._at_once = options.write_batch_size, options.max_in_flight
        retry = RetryPolicy(options.attempts, options.backoff_s)
        self._retries = RecordRetries(client.crm, retry, sleep, step="retry_locked")  # locked records
        self._held = HeldValues(client.crm, lambda refs: list(self.read_current(refs)))

    # -- read_current ------------------------------------------------------------------------
    def read_current(
        self, refs: Sequence[RecordRef], known: Mapping[str, Mapping[str, Any]] | None = None
    ) -> Iterator[CurrentValues]:
        """The managed values of these records: from `known` (id → fields of records just read with
        them and `LastModifiedById`), the others read in queries of 200 ids per object."""
        known = known or {}
        by_object = sorted(refs, key=lambda ref: ref.object_type)
        for sobject, group in groupby(by_object, key=lambda ref: ref.object_type):
            write = self._mapping.write.get(sobject)
            if write is None:
                continue
            mapped = sorted(write.target_fields())
            crm = {ref.record_id: ref.crm for ref in group}
            for record_id in sorted(crm.keys() & known.keys()):
                yield self._current(RecordRef(crm[record_id], sobject, record_id), known[record_id], mapped)
            ids = sorted(crm.keys() - known.keys())
            fields = select_list(("Id", "LastModifiedById"), mapped)
            for start in range(0, len(ids), _IDS_PER_QUERY):
                quoted = ", ".join(soql_string(i) for i in ids[start : start + _IDS_PER_QUERY])
                soql = f"SELECT {fields} FROM {sobject} WHERE Id IN ({quoted})"  # noqa: S608
                for raw in self._client.records(soql, page_size=_QUERY_BATCH):
                    yield self._current(RecordRef(crm[str(raw["Id"])], sobject, str(raw["Id"])), raw, mapped)

    def _current(self, ref: RecordRef, raw: Mapping[str, Any], mapped: Sequence[str]) -> CurrentValues:
        held = self._held.keep(ref.record_id, {name: raw.get(name) for name in mapped})
        modified_by = self._owners.email_of(raw.get("LastModifiedById"))
        return self._values.current(ref, raw, held, email_of=self._owners.email_of, modified_by=modified_by)

    # -- apply --------------------------------------------------------------------------------
    def apply(self, changes: Sequence[Change]) -> Iterable[WriteResult]:
        """Refuse unmapped values up front, then write in batches; one result per change, in order.

        Batches go by object type: sObject Collections processes a request as chunks of
        consecutive same-type records, at most 10 (REST API guide), so Leads and Contacts
        interleaved would be refused; sorted, a batch holds at most one chunk per type.
        """
        prepared = self._values.prepared(changes, self._crm_value, _as_given)  # raises before any call
        results: list[WriteResult | None] = [p.failure for p in prepared]
        pending = sorted(
            (i for i, p in enumerate(prepared) if p.failure is None and p.fields),
            key=lambda i: prepared[i].ref.object_type,
        )
        for i, p in enumerate(prepared):
            if p.failure is None and not p.fields:
                results[i] = WriteResult(p.ref, ok=True, message="nothing to write: every value is skipped")
        self._held.hold([prepared[i].ref for i in pending])
        size = self._batch_size
        batches = [pending[start : start + size] for start in range(0, len(pending), size)]
        sent = fan_out(
            lambda batch: self._retries.written([prepared[i] for i in batch], self._send),
            batches,
            at_once=self._at_once,
        )
        for batch, written in zip(batches, sent, strict=True):
            for index, result in zip(batch, written, strict=True):
                held = self._held.written(result, prepared[index].fields) if result.ok else result
                results[index] = held
        return [result for result in results if result is not None]

    def _crm_value(self, managed: str, value: object) -> object:
        """A managed value in Salesforce's terms: an owner's e-mail as the active user's id."""
        if managed == "owner" and isinstance(value, str):
            user_id = self._owners.user_id_of(value)
            if user_id is None:
                message = f"no active Salesforce user has the e-mail {value}; pick an active owner"
                return Refused("UNKNOWN_OWNER", message)
            return user_id
        return salesforce_datetime(value) if isinstance(value, datetime) else value

    def _send(self, batch: list[Prepared[object]]) -> list[WriteResult]:
        records = [
            {"attributes": {"type": p.ref.object_type}, "id": p.ref.record_id, **p.fields} for p in batch
        ]
        try:
            answers = self._client.restful(
                "composite/sobjects",
                "composite/sobjects",
                method="PATCH",
                json={"allOrNone": False, "records": records},
                headers=self._headers,
            )
        except CallRefused as exc:  # the whole call was refused (e.g. INVALID_FIELD): each record failed
            return [WriteResult(p.ref, ok=False, code="REQUEST_REFUSED", message=str(exc)) for p in batch]
        # Failed results carry no id: they are matched to records by position (api-notes).
        return [_result(p.ref, answer) for p, answer in zip(batch, answers, strict=True)]


def _result(ref: RecordRef, answer: Mapping[str, Any]) -> WriteResult:
    if answer.get("success"):
        return WriteResult(ref, ok=True)
    errors = answer.get("errors") or [{}]
    code = str(errors[0].get("statusCode", "UNKNOWN"))
    return ERRORS.failed_write(ref, code, "; ".join(str(error.get("message", "")) for error in errors))


def _as_given(value: object) -> object:
    return value  # a raw property is sent as given: an OwnerId may name a queue
