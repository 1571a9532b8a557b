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
from functools import cache
from typing import Any, Final

import structlog
from hubspot import HubSpot

from leadsync.adapter_api import AdapterContext, Change, CurrentValues, WriteResult
from leadsync.kit import CallRefused, HeldValues, WriteValues, fan_out, owner_ids
from leadsync.model import RecordRef

from .batch_errors import confirmed, named_inputs
from .batch_reads import BATCH, batch_read
from .transport import ERRORS, Transport

__all__ = ["Writer"]

_log = structlog.get_logger(__name__)

_LIFECYCLE: Final = "lifecyclestage"
_CONTACTS: Final = "contacts"


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
        self._at_once = transport.limiter.at_once
        self._write = context.mapping.write.get(_CONTACTS)
        self._values = WriteValues(context.mapping)
        self._owner_ids = owner_ids
        self._lifecycle_order: dict[str, int] | None = None
        self._held = HeldValues(context.name, self.read_current)
        targets = self._write.targets if self._write else {}
        self.owner_property = targets["owner"][0].field if targets.get("owner") else None

    # -- read ---------------------------------------------------------------------------------

    def read_current(
        self, refs: Sequence[RecordRef], known: Mapping[str, Mapping[str, Any]] | None = None
    ) -> list[CurrentValues]:
        """The managed values of these contacts: from `known` (id → properties of contacts just read
        with them), the others by batch reads of 100."""
        if self._write is None:
            return []
        fields = sorted(self._write.target_fields())
        if _LIFECYCLE in fields and refs:
            self._options()  # read with the values, so a later write spends no call on it
        owners = {crm_id: email for email, crm_id in self._owner_ids().items()}
        by_id = dict(known or {})
        unread = [r.record_id for r in refs if r.record_id not in by_id]
        read = batch_read(self._client, self._transport, unread, {"properties": fields})
        by_id.update({str(r["id"]): r.get("properties") or {} for r in read})
        found: list[CurrentValues] = []
        for ref in refs:
            if (values := by_id.get(ref.record_id)) is None:
                continue
            held = self._held.keep(ref.record_id, {name: values.get(name) for name in fields})
            found.append(self._values.current(ref, values, held, email_of=owners.get))
        return found

    # -- write --------------------------------------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> list[WriteResult]:
        """Write every change (refusing all when one names an unmapped value); results in order."""
        found = cache(self._owner_ids)  # owners read once
        convert = owner_ids(lambda email: found().get(email), _text, noun="HubSpot owner")
        prepared = self._values.prepared(changes, convert, _text)
        results = {i: p.failure for i, p in enumerate(prepared) if p.failure is not None}
        inputs = [(i, p.fields) for i, p in enumerate(prepared) if p.failure is None]
        self._held.hold([changes[i].ref for i, _ in inputs])
        backward = [(i, p) for i, p in inputs if self._moves_back(changes[i], p)]
        if backward:
            cleared = self._write_all([(i, {_LIFECYCLE: ""}) for i, _ in backward], changes)
            results.update({index: result for index, result in cleared.items() if not result.ok})
        results.update(self._write_all([(i, p) for i, p in inputs if i not in results], changes))
        for index, properties in inputs:
            if results[index].ok:
                results[index] = self._held.written(results[index], properties)
        return [results[i] for i in range(len(changes))]

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
        batches = [inputs[start : start + BATCH] for start in range(0, len(inputs), BATCH)]
        sent = fan_out(lambda batch: self._write_batch(batch, changes), batches, at_once=self._at_once)
        return {index: result for results in sent for index, result in results.items()}

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
        except CallRefused as exc:
            if exc.status != 400:  # noqa: PLR2004 - only a validation error refuses a batch for its inputs
                raise
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
                inputs[n][0]: ERRORS.failed_write(changes[inputs[n][0]].ref, *outcome)
                for n, outcome in named.items()
            }
            rest = [item for n, item in enumerate(inputs) if n not in named]
            return {**refused, **(self._write_batch(rest, changes) if rest else {})}
        outcomes = confirmed(answer.body, [changes[i].ref.record_id for i, _ in inputs])
        results: dict[int, WriteResult] = {}
        for index, _ in inputs:
            ref = changes[index].ref
            outcome = outcomes[ref.record_id]
            results[index] = WriteResult(ref, True) if outcome is None else ERRORS.failed_write(ref, *outcome)
        return results


def _refused(ref: RecordRef, body: Mapping[str, Any]) -> WriteResult:
    errors = body.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    code = str(first.get("code") or body.get("category") or "VALIDATION_ERROR")
    message = str(first.get("message") or body.get("message") or "")[:300]
    return ERRORS.failed_write(ref, code, message)


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
