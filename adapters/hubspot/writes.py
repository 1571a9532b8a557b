"""Write managed values to contacts in batches of 100, and read them back in common-model terms.

A whole-batch 400 (a bad value, a bad property, a duplicate id) refuses the inputs its detail
names, and the rest are sent again once; when it names none, the batch is split and the halves
retried, so every valid record is written and each bad one gets its own result. A record is
written only when the answer confirms it (`batch_errors`). `lifecyclestage`
does not move back on a plain write: a backward move is a clear (`""`) in a batch before
the one that sets the earlier stage, decided from the property's option order and the
stage the contact holds. Each contact's mapped properties are kept as last read or written
(a contact not read yet is read before its write), so every result says what each property
held before it: the audit a rollback restores from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import structlog
from hubspot import HubSpot

from leadsync.adapter_api import (
    AdapterContext,
    AdapterError,
    AuthError,
    BudgetExhausted,
    Change,
    CurrentValues,
    PropertyWrite,
    RawValue,
    UnmappedFieldError,
    WriteResult,
)
from leadsync.model import RecordRef, Stage

from .batch_errors import confirmed, named_inputs
from .keyset import instant
from .transport import BadRequestError, Transport

__all__ = ["BATCH", "Writer"]

_log = structlog.get_logger(__name__)

BATCH: Final = 100
_LIFECYCLE: Final = "lifecyclestage"
_CONTACTS: Final = "contacts"
_STAGES: Final = frozenset(Stage)


class Writer:
    """Batch reads and writes of the managed contact properties."""

    def __init__(
        self,
        context: AdapterContext,
        client: HubSpot,
        transport: Transport,
        owner_ids: Callable[[], Mapping[str, str]],
    ) -> None:
        self._name, self._client, self._transport = context.name, client, transport
        self._file = context.mapping.file
        self._write = context.mapping.write.get(_CONTACTS)
        self._stage_rule = context.mapping.people[_CONTACTS].fields.get("stage")
        self._owner_ids = owner_ids
        self._lifecycle_order: dict[str, int] | None = None
        self._held: dict[
            str, dict[str, RawValue]
        ] = {}  # contact id -> mapped properties, last read or written
        targets = self._write.targets if self._write else {}
        self.owner_property = targets["owner"][0].field if targets.get("owner") else None
        temperature = targets["temperature"][0].values if targets.get("temperature") else None
        self._temperatures = {str(v): k for k, v in (temperature or {}).items()}  # CRM value -> id
        self._stage_values = self._written_stages()

    # -- read ---------------------------------------------------------------------------------

    def read_current(self, refs: Sequence[RecordRef]) -> list[CurrentValues]:
        """The managed values of these contacts, batch reads of 100."""
        if self._write is None:
            return []
        fields = sorted(self._write.target_fields())
        if _LIFECYCLE in fields and refs:
            self._options()  # read with the values, so a later write spends no call on it
        owners = {crm_id: email for email, crm_id in self._owner_ids().items()}
        found: list[CurrentValues] = []
        api = self._client.crm.contacts.batch_api
        for start in range(0, len(refs), BATCH):
            chunk = refs[start : start + BATCH]
            body = {"inputs": [{"id": ref.record_id} for ref in chunk], "properties": fields}
            answer = self._transport.call(
                "contacts batch read", api.read, batch_read_input_simple_public_object_id=body
            )
            by_id = {str(r["id"]): r.get("properties") or {} for r in answer.body.get("results", [])}
            for contact_id, values in by_id.items():
                self._held[contact_id] = {name: values.get(name) or None for name in fields}
            found.extend(
                self._current(ref, by_id[ref.record_id], owners) for ref in chunk if ref.record_id in by_id
            )
        return found

    def _current(self, ref: RecordRef, values: Mapping[str, Any], owners: Mapping[str, str]) -> CurrentValues:
        assert self._write is not None  # noqa: S101 - read_current checked it
        managed = self._managed(values, owners)
        raw = dict(self._held[ref.record_id])
        if "stage" not in self._write.targets:
            return CurrentValues(ref, managed, properties=raw)
        stages = self._stages_of(values)
        managed["stage"] = stages[0] if stages else None
        alternatives = {"stage": stages[1:]} if stages[1:] else {}
        return CurrentValues(ref, managed, alternatives=alternatives, properties=raw)

    def _managed(self, values: Mapping[str, Any], owners: Mapping[str, str]) -> dict[str, object]:
        assert self._write is not None  # noqa: S101 - read_current checked it
        managed: dict[str, object] = {}
        for name, targets in self._write.targets.items():
            raw = values.get(targets[0].field) or None
            if name == "stage":
                continue  # `_current` reads it with the stages it cannot be told apart from
            if name == "temperature":
                managed[name] = self._temperatures.get(str(raw), raw) if raw else None
            elif name == "score":
                managed[name] = int(float(raw)) if raw else None
            elif name == "owner":
                managed[name] = owners.get(str(raw)) if raw else None
            elif name == "stage_entered_at":
                managed[name] = _instant(str(raw)) if raw else None
            else:
                managed[name] = raw
        return managed

    def _written_stages(self) -> tuple[tuple[str, tuple[tuple[str, object], ...]], ...]:
        """Each stage written to contacts, in funnel order, with the (property, value) pairs it writes."""
        if self._write is None or "stage" not in self._write.targets:
            return ()
        pairs = ((s.value, tuple(self._write.crm_values("stage", s.value).items())) for s in Stage)
        return tuple((stage, wanted) for stage, wanted in pairs if wanted)

    def _stages_of(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        """The stages whose written values all match the contact's, in funnel order; else the
        stage read map's. Several match when the mapping leaves a property unwritten for some
        (a customer's lead status, a disqualified person's lifecycle stage)."""
        matching = tuple(
            stage for stage, wanted in self._stage_values if all(values.get(k) == v for k, v in wanted)
        )
        if matching or self._stage_rule is None:
            return matching
        raw = values.get(self._stage_rule.source)
        mapped = self._stage_rule.values.get(str(raw).casefold(), raw) if raw else None
        return (str(mapped),) if mapped in _STAGES else ()

    # -- write --------------------------------------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> list[WriteResult]:
        """Write every change (refusing all when one names an unmapped value); results in order."""
        planned = [self._properties(change) for change in changes]
        results: dict[int, WriteResult] = {}
        owner_ids = self._owner_ids() if any("owner" in c.values for c in changes) else {}
        inputs: list[tuple[int, dict[str, str]]] = []
        for index, (change, properties) in enumerate(zip(changes, planned, strict=True)):
            if "owner" in change.values and self.owner_property in properties:
                email = properties[self.owner_property]
                if email and email not in owner_ids:
                    results[index] = WriteResult(
                        change.ref, False, "UNKNOWN_OWNER", f"no active HubSpot owner has the e-mail {email}"
                    )
                    continue
                properties[self.owner_property] = owner_ids.get(email, "") if email else ""
            properties.update({name: _text(value) for name, value in change.properties.items()})
            inputs.append((index, properties))
        self._hold([changes[i].ref for i, _ in inputs])
        before = {i: self._held.get(changes[i].ref.record_id) for i, _ in inputs}
        backward = [(i, p) for i, p in inputs if self._moves_back(changes[i], p)]
        if backward:
            cleared = self._write_all([(i, {_LIFECYCLE: ""}) for i, _ in backward], changes)
            results.update({index: result for index, result in cleared.items() if not result.ok})
        results.update(self._write_all([(i, p) for i, p in inputs if i not in results], changes))
        for index, properties in inputs:
            if results[index].ok:
                results[index] = self._written(results[index], before[index], properties)
        return [results[i] for i in range(len(changes))]

    def _hold(self, refs: Sequence[RecordRef]) -> None:
        """Read the contacts not read yet, so each write can say what it replaced. The audit
        must not hold back the write: if this read fails, those writes report no properties."""
        unread = [ref for ref in refs if ref.record_id not in self._held]
        if not unread:
            return
        try:
            self.read_current(unread)
        except (AuthError, BudgetExhausted):
            raise
        except AdapterError as exc:
            _log.warning("write.before_unread", crm=self._name, records=len(unread), error=type(exc).__name__)

    def _written(
        self, result: WriteResult, before: Mapping[str, RawValue] | None, sent: Mapping[str, str]
    ) -> WriteResult:
        """The result with each property sent and what it held before (none when that is unknown)."""
        if before is None:
            return result
        written = {name: PropertyWrite(before.get(name), value or None) for name, value in sent.items()}
        self._held[result.ref.record_id] = {**before, **{name: w.after for name, w in written.items()}}
        return WriteResult(result.ref, True, result.code, result.message, properties=written)

    def _properties(self, change: Change) -> dict[str, str]:
        if self._write is None:
            raise UnmappedFieldError(
                f"{self._file} [write.{_CONTACTS}]: no property is mapped for writing; nothing was sent. "
                f"Fix: add a [write.{_CONTACTS}] table"
            )
        properties: dict[str, str] = {}
        allowed = self._write.target_fields()
        for name in change.properties:
            if name not in allowed:
                raise UnmappedFieldError(
                    f"{self._file} [write.{_CONTACTS}]: {change.ref} asks to write {name!r}, which the "
                    f"mapping does not name; nothing was sent. Fix: map it under [write.{_CONTACTS}]"
                )
        for managed, value in change.values.items():
            if managed not in self._write.targets:
                raise UnmappedFieldError(
                    f"{self._file} [write.{_CONTACTS}.{managed}]: {change.ref} asks to write {managed!r}, "
                    f"which the mapping does not name; nothing was sent. "
                    f"Fix: map it under [write.{_CONTACTS}]"
                )
            try:
                crm_values = (
                    self._write.crm_values(managed, value)
                    if value is not None
                    else {t.field: None for t in self._write.targets[managed]}
                )
            except ValueError as exc:  # ModelError: not a stage / temperature id
                raise UnmappedFieldError(
                    f"{self._file} [write.{_CONTACTS}.{managed}]: {exc}; nothing was sent"
                ) from None
            for field, crm_value in crm_values.items():
                if field not in allowed:
                    raise UnmappedFieldError(
                        f"{self._file}: {field!r} is not a mapped property; nothing was sent"
                    )
                properties[field] = _text(crm_value)
        return properties

    def _moves_back(self, change: Change, properties: Mapping[str, str]) -> bool:
        new = properties.get(_LIFECYCLE)
        previous = change.previous.get("stage")
        if not new or self._write is None:
            return False
        held = self._held.get(change.ref.record_id)
        old: object = held.get(_LIFECYCLE) if held is not None else None  # HubSpot's value, as last read
        if held is None and previous is not None:
            old = self._write.crm_values("stage", previous).get(_LIFECYCLE)
        if not isinstance(old, str):
            return False
        order = self._options()
        return old in order and new in order and order[new] < order[old]

    def _options(self) -> dict[str, int]:
        if self._lifecycle_order is None:
            api = self._client.crm.properties.core_api
            answer = self._transport.call(
                "properties read", api.get_by_name, object_type=_CONTACTS, property_name=_LIFECYCLE
            )
            options = sorted(answer.body.get("options", []), key=lambda o: o.get("displayOrder", 0))
            self._lifecycle_order = {str(o["value"]): n for n, o in enumerate(options)}
        return self._lifecycle_order

    def _write_all(
        self, inputs: list[tuple[int, dict[str, str]]], changes: Sequence[Change]
    ) -> dict[int, WriteResult]:
        results: dict[int, WriteResult] = {}
        for start in range(0, len(inputs), BATCH):
            results.update(self._write_batch(inputs[start : start + BATCH], changes))
        return results

    def _write_batch(
        self, inputs: list[tuple[int, dict[str, str]]], changes: Sequence[Change]
    ) -> dict[int, WriteResult]:
        """One batch update; a 400 drops the inputs its detail names and sends the rest once, or
        (naming none) is split in halves until each bad input stands alone."""
        api = self._client.crm.contacts.batch_api
        body = {"inputs": [{"id": changes[i].ref.record_id, "properties": p} for i, p in inputs]}
        try:
            answer = self._transport.call(
                "contacts batch update", api.update, batch_input_simple_public_object_batch_input=body
            )
        except BadRequestError as exc:
            if len(inputs) == 1:
                index = inputs[0][0]
                return {index: _refused(changes[index].ref, exc.body)}
            named = named_inputs(exc.body, [properties for _, properties in inputs])
            _log.info(
                "batch.narrowed", crm=self._name, records=len(inputs),
                step="split" if named is None else "drop_named", resent=len(inputs) - len(named or ()),
            )  # fmt: skip
            if named is None:
                half = len(inputs) // 2
                return {
                    **self._write_batch(inputs[:half], changes),
                    **self._write_batch(inputs[half:], changes),
                }
            refused = {
                inputs[n][0]: WriteResult(changes[inputs[n][0]].ref, False, *outcome)
                for n, outcome in named.items()
            }
            rest = [item for n, item in enumerate(inputs) if n not in named]
            return {**refused, **(self._write_batch(rest, changes) if rest else {})}
        outcomes = confirmed(answer.body, [changes[i].ref.record_id for i, _ in inputs])
        results: dict[int, WriteResult] = {}
        for index, _ in inputs:
            ref = changes[index].ref
            outcome = outcomes[ref.record_id]
            results[index] = WriteResult(ref, True) if outcome is None else WriteResult(ref, False, *outcome)
        return results


def _refused(ref: RecordRef, body: Mapping[str, Any]) -> WriteResult:
    errors = body.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    code = str(first.get("code") or body.get("category") or "VALIDATION_ERROR")
    message = str(first.get("message") or body.get("message") or "")[:300]
    return WriteResult(ref, False, code, message)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value)


def _instant(text: str) -> datetime | None:
    if text.isdigit():
        return instant(int(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
