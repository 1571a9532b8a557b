"""Managed values both ways: read what the CRM holds now, and write changes by sObject Collections.

Each record's mapped fields are kept as last read or written (a record not read yet is read
before its write), so every result says what each field held before it: the audit a rollback
restores from. A change's raw `properties` are sent as given: an OwnerId may name a queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any, Final

import structlog

from leadsync.adapter_api import (
    AdapterError,
    AuthError,
    BudgetExhausted,
    Change,
    CrmMapping,
    CurrentValues,
    PropertyWrite,
    RawValue,
    TransientError,
    UnmappedFieldError,
    WriteResult,
)
from leadsync.model import RecordRef, Stage, Temperature

from .client import SalesforceClient
from .owners import OwnerDirectory
from .soql import parse_stamp, salesforce_datetime

__all__ = ["Writer"]

_log = structlog.get_logger(__name__)

_IDS_PER_QUERY: Final = 200
_RETRYABLE: Final = frozenset({"UNABLE_TO_LOCK_ROW"})
_MESSAGE_CHARS: Final = 300
_UNKNOWN_OWNER: Final = "UNKNOWN_OWNER"


@dataclass(frozen=True, slots=True)
class _Prepared:
    """One change in CRM terms, or the reason it cannot be sent."""

    ref: RecordRef
    fields: Mapping[str, object]
    failure: WriteResult | None = None


class Writer:
    """Reads and writes the managed fields a mapping names, and refuses every other field."""

    def __init__(
        self,
        client: SalesforceClient,
        mapping: CrmMapping,
        owners: OwnerDirectory,
        *,
        batch_size: int,
        attempts: int,
        backoff_s: float,
        sleep: Callable[[float], None],
        run_assignment_rules: bool,
    ) -> None:
        self._client, self._mapping, self._owners = client, mapping, owners
        self._headers = {"Sforce-Auto-Assign": "TRUE" if run_assignment_rules else "FALSE"}
        self._batch_size, self._attempts, self._backoff_s, self._sleep = (
            batch_size,
            attempts,
            backoff_s,
            sleep,
        )
        self._held: dict[str, dict[str, RawValue]] = {}  # record id -> mapped fields, last read or written

    # -- read_current ------------------------------------------------------------------------
    def read_current(self, refs: Sequence[RecordRef]) -> Iterator[CurrentValues]:
        """The managed values of these records, read in queries of 200 ids per object."""
        by_object = sorted(refs, key=lambda ref: ref.object_type)
        for sobject, group in groupby(by_object, key=lambda ref: ref.object_type):
            write = self._mapping.write.get(sobject)
            if write is None:
                continue
            reads = {managed: targets[0].field for managed, targets in write.targets.items() if targets}
            mapped = sorted(write.target_fields())
            crm = {ref.record_id: ref.crm for ref in group}
            ids = sorted(crm)
            fields = ", ".join(dict.fromkeys(["Id", "LastModifiedById", *reads.values(), *mapped]))
            for start in range(0, len(ids), _IDS_PER_QUERY):
                quoted = ", ".join(f"'{_quoted(i)}'" for i in ids[start : start + _IDS_PER_QUERY])
                soql = f"SELECT {fields} FROM {sobject} WHERE Id IN ({quoted})"  # noqa: S608
                for raw in self._all(soql):
                    values = {
                        managed: self._model_value(sobject, managed, raw.get(field))
                        for managed, field in reads.items()
                    }
                    ref = RecordRef(crm[str(raw["Id"])], sobject, str(raw["Id"]))
                    held = self._held[ref.record_id] = {name: _raw(raw.get(name)) for name in mapped}
                    modified_by = self._owners.email_of(raw.get("LastModifiedById"))
                    yield CurrentValues(ref, values, modified_by, properties=dict(held))

    def _all(self, soql: str) -> Iterator[dict[str, Any]]:
        page = self._client.query(soql, page_size=2000)
        while True:
            yield from page["records"]
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            page = self._client.query_more(str(page["nextRecordsUrl"]), page_size=2000)

    def _model_value(self, sobject: str, managed: str, value: object) -> object:
        if value is None or value == "":
            return None
        if isinstance(value, bool):  # a checkbox (email_opt_out) is already in model terms
            return value
        if managed == "owner":
            return self._owners.email_of(value)
        if managed == "score":
            return round(value) if isinstance(value, int | float) else None
        if managed == "stage_entered_at":
            return parse_stamp(value)
        if managed in ("stage", "temperature"):
            return self._canonical(sobject, managed, str(value))
        return str(value)

    def _canonical(self, sobject: str, managed: str, value: str) -> str | None:
        """A stage or temperature id from a CRM value: the read map, else the inverse write map."""
        key = value.casefold()
        people = self._mapping.people.get(sobject)
        rule = people.fields.get(managed) if people else None
        if rule is not None and key in rule.values:
            mapped = rule.values[key]
            return str(mapped) if isinstance(mapped, str) else None  # ABSENT: read as no stage
        for target in self._mapping.write[sobject].targets.get(managed, ()):
            for canonical, crm_value in (target.values or {}).items():
                if str(crm_value).casefold() == key:
                    return canonical
        ids = tuple(Stage) if managed == "stage" else tuple(Temperature)
        return key if key in ids else None

    # -- apply --------------------------------------------------------------------------------
    def apply(self, changes: Sequence[Change]) -> Iterable[WriteResult]:
        """Refuse unmapped values up front, then write in batches; one result per change, in order.

        Batches go by object type: sObject Collections processes a request as chunks of
        consecutive same-type records, at most 10 (REST API guide), so Leads and Contacts
        interleaved would be refused; sorted, a batch holds at most one chunk per type.
        """
        prepared = [self._prepared(change) for change in changes]  # raises before anything is sent
        results: list[WriteResult | None] = [p.failure for p in prepared]
        pending = sorted(
            (i for i, p in enumerate(prepared) if p.failure is None and p.fields),
            key=lambda i: prepared[i].ref.object_type,
        )
        for i, p in enumerate(prepared):
            if p.failure is None and not p.fields:
                results[i] = WriteResult(p.ref, ok=True, message="nothing to write: every value is skipped")
        self._hold([prepared[i].ref for i in pending])
        for start in range(0, len(pending), self._batch_size):
            batch = pending[start : start + self._batch_size]
            for index, result in zip(batch, self._write_batch([prepared[i] for i in batch]), strict=True):
                results[index] = self._written(result, prepared[index].fields) if result.ok else result
        return [result for result in results if result is not None]

    def _hold(self, refs: Sequence[RecordRef]) -> None:
        """Read the records not read yet, so each write can say what it replaced. The audit
        must not hold back the write: if this read fails, those writes report no properties."""
        unread = [ref for ref in refs if ref.record_id not in self._held]
        if not unread:
            return
        try:
            list(self.read_current(unread))
        except (AuthError, BudgetExhausted):
            raise
        except AdapterError as exc:
            _log.warning("write.before_unread", records=len(unread), error=type(exc).__name__)

    def _written(self, result: WriteResult, sent: Mapping[str, object]) -> WriteResult:
        """The result with each field sent and what it held before (none when that is unknown)."""
        held = self._held.get(result.ref.record_id)
        if held is None:
            return result
        written = {name: PropertyWrite(held.get(name), _raw(value)) for name, value in sent.items()}
        held.update({name: write.after for name, write in written.items()})
        return WriteResult(result.ref, True, result.code, result.message, properties=written)

    def _prepared(self, change: Change) -> _Prepared:
        ref, file = change.ref, self._mapping.file
        write = self._mapping.write.get(ref.object_type)
        if write is None:
            raise UnmappedFieldError(
                f"{file} [write.{ref.object_type}]: {ref} is of an object the mapping writes nothing to; "
                f"nothing was sent. Fix: add [write.{ref.object_type}] or do not plan changes for it"
            )
        fields: dict[str, object] = {}
        for managed, value in change.values.items():
            if managed not in write.targets:
                raise UnmappedFieldError(
                    f"{file} [write.{ref.object_type}.{managed}]: {managed} of {ref} is not mapped to a "
                    f"field; nothing was sent. Fix: name a field under [write.{ref.object_type}]"
                )
            try:  # None clears the field (a rollback restoring an empty value)
                crm_values = (
                    write.crm_values(managed, value)
                    if value is not None
                    else {target.field: None for target in write.targets[managed]}
                )
            except ValueError as exc:  # ModelError: not a stage or temperature id
                return _Prepared(ref, {}, WriteResult(ref, ok=False, code="INVALID_VALUE", message=str(exc)))
            allowed = write.target_fields()
            for field, crm_value in crm_values.items():
                if field not in allowed:  # defence in depth: crm_values only returns mapped fields
                    raise UnmappedFieldError(f"{file}: {field} is not a mapped field; nothing was sent")
                converted = self._crm_value(managed, crm_value)
                if isinstance(converted, WriteResult):
                    return _Prepared(ref, {}, WriteResult(ref, False, converted.code, converted.message))
                fields[field] = converted
        for name, raw in change.properties.items():
            if name not in write.target_fields():
                raise UnmappedFieldError(
                    f"{file} [write.{ref.object_type}]: {ref} asks to write {name}, which the mapping does "
                    f"not name; nothing was sent. Fix: name it under [write.{ref.object_type}]"
                )
            fields[name] = raw
        return _Prepared(ref, fields)

    def _crm_value(self, managed: str, value: object) -> object:
        if managed == "owner" and isinstance(value, str):
            user_id = self._owners.user_id_of(value)
            if user_id is None:
                message = f"no active Salesforce user has the e-mail {value}; pick an active owner"
                return WriteResult(RecordRef("-", "-", "-"), ok=False, code=_UNKNOWN_OWNER, message=message)
            return user_id
        if isinstance(value, datetime):
            return salesforce_datetime(value)
        return value

    def _write_batch(self, batch: list[_Prepared]) -> list[WriteResult]:
        results: list[WriteResult | None] = [None] * len(batch)
        pending = list(range(len(batch)))
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(min(60.0, self._backoff_s * 2 ** (attempt - 1)))
            answers = self._send([batch[i] for i in pending])
            locked = []
            for index, answer in zip(pending, answers, strict=True):
                results[index] = answer
                if not answer.ok and answer.retryable:
                    locked.append(index)
            pending = locked
            if not pending:
                break
            if attempt + 1 < self._attempts:  # only the locked records are sent again
                _log.info(
                    "batch.narrowed", crm=self._client.crm, records=len(answers), step="retry_locked",
                    resent=len(pending),
                )  # fmt: skip
        return [result for result in results if result is not None]

    def _send(self, batch: list[_Prepared]) -> list[WriteResult]:
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
        except (AuthError, TransientError):
            raise
        except AdapterError as exc:  # the whole call was refused (e.g. INVALID_FIELD): each record failed
            return [WriteResult(p.ref, ok=False, code="REQUEST_REFUSED", message=str(exc)) for p in batch]
        # Failed results carry no id: they are matched to records by position (api-notes).
        return [_result(p.ref, answer) for p, answer in zip(batch, answers, strict=True)]


def _result(ref: RecordRef, answer: Mapping[str, Any]) -> WriteResult:
    if answer.get("success"):
        return WriteResult(ref, ok=True)
    errors = answer.get("errors") or [{}]
    code = str(errors[0].get("statusCode", "UNKNOWN"))
    message = "; ".join(str(error.get("message", "")) for error in errors)[:_MESSAGE_CHARS]
    return WriteResult(ref, ok=False, code=code, message=message, retryable=code in _RETRYABLE)


def _raw(value: object) -> RawValue:
    """A field's value as the audit keeps it: JSON scalars, an empty text as None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str | int | float | bool) else str(value)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
