"""Writes: `POST /rest/v1/leads.json` with `action=updateOnly`, `lookupField=id`, ≤ 300 leads a call.

Marketo answers each record in input order (`{id, status: updated|skipped, reasons: [{code,
message}]}`) inside an HTTP 200; a skipped record's first reason code goes through the error
table (1004: not found, so gone; 1006 field not found, 1007 several match…). Only the values
that differ from what a lead holds are sent; a lead with none is not sent at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from leadsync import adapter_api as contract
from leadsync import kit

from .client import ERRORS, MarketoClient, Row

__all__ = ["Writes"]

BATCH: Final = 300
_SPENT: Final = "QUOTA_SPENT"


class Writes:
    """How changes become leads.json calls and one result per change, in order."""

    def __init__(self, client: MarketoClient, held: kit.HeldValues, values: kit.WriteValues) -> None:
        self._client, self._held, self._values = client, held, values

    def apply(self, changes: Sequence[contract.Change]) -> list[contract.WriteResult]:
        """One result per change, in order; an unmapped value raises before anything is sent."""
        prepared = self._values.prepared(changes, lambda _managed, value: value, lambda value: value)
        results: dict[int, contract.WriteResult] = {}
        ready: list[tuple[int, kit.Prepared[object]]] = []
        for n, p in enumerate(prepared):
            if p.failure is not None:
                results[n] = p.failure
            else:
                ready.append((n, p))
        self._held.hold([p.ref for _, p in ready])
        sent: list[tuple[int, kit.Prepared[object], dict[str, object]]] = []
        for n, p in ready:
            held = self._held.get(p.ref.record_id) or {}
            changed = {k: v for k, v in p.fields.items() if k not in held or held[k] != kit.raw_value(v)}
            if changed:
                sent.append((n, p, changed))
            else:
                results[n] = contract.WriteResult(p.ref, ok=True)
        for start in range(0, len(sent), BATCH):
            batch = sent[start : start + BATCH]
            results.update(zip((n for n, _, _ in batch), self._batch(batch), strict=True))
        return [results[n] for n in range(len(prepared))]

    def _batch(
        self, batch: list[tuple[int, kit.Prepared[object], dict[str, object]]]
    ) -> list[contract.WriteResult]:
        body = {
            "action": "updateOnly",
            "lookupField": "id",
            "input": [{"id": int(p.ref.record_id), **changed} for _, p, changed in batch],
        }
        try:
            answer = self._client.call("lead update", "POST", "/rest/v1/leads.json", json=body)
        except contract.BudgetExhausted:
            message = "the day's Marketo call quota is spent: written next cycle"
            return [contract.WriteResult(p.ref, False, _SPENT, message, retryable=True) for _, p, _ in batch]
        except contract.TransientError as e:
            return [
                contract.WriteResult(p.ref, False, "TRANSIENT", str(e)[:300], retryable=True)
                for _, p, _ in batch
            ]
        rows: list[Row] = list(answer.get("result") or ())
        if len(rows) != len(batch):
            raise contract.AdapterError(
                f"Marketo answered {len(rows)} records for {len(batch)} sent to leads.json: "
                "nothing is assumed written"
            )
        return [self._result(p, changed, row) for (_, p, changed), row in zip(batch, rows, strict=True)]

    def _result(self, p: kit.Prepared[object], changed: dict[str, object], row: Row) -> contract.WriteResult:
        if row.get("status") == "updated":
            return self._held.written(contract.WriteResult(p.ref, ok=True), changed)
        reason: Row = next(iter(row.get("reasons") or ()), {})
        code, message = str(reason.get("code") or row.get("status")), str(reason.get("message") or "")
        return ERRORS.failed_write(p.ref, code, message)
