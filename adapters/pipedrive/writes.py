"""Writes: one `PATCH /api/v2/persons/{id}` per changed person (Pipedrive has no batch update).

Each PATCH costs 5 tokens (`x-token-cost`), so the persons are written by importance — a stage
or an owner before a score — and only the values that differ from what the person holds are
sent. When the day's token budget runs out (ours counted, or Pipedrive's 429), the persons not
written yet are answered retryable: the next cycle writes them, nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from leadsync import adapter_api as contract
from leadsync import kit
from leadsync.model import RecordRef

from .client import COSTS, PipedriveClient
from .fields import PersonFields

__all__ = ["Writes"]

FIRST: Final = ("stage", "owner")  # managed values written before the others
_SPENT: Final = "BUDGET_SPENT"


class Writes:
    """How a list of changes becomes PATCH calls and one result per change, in order."""

    def __init__(
        self,
        client: PipedriveClient,
        held: kit.HeldValues,
        values: kit.WriteValues,
        fields: Callable[[], PersonFields],
        owner_id: Callable[[str], int | None],
    ) -> None:
        self._client, self._held, self._values, self._fields = client, held, values, fields
        self._convert = kit.owner_ids(owner_id, lambda value: value, noun="Pipedrive user")

    def apply(self, changes: Sequence[contract.Change]) -> list[contract.WriteResult]:
        """One result per change, in order; an unmapped value raises before anything is sent."""
        prepared = self._values.prepared(changes, self._convert, lambda value: value)
        if not prepared:
            return []
        fields = self._fields()
        results: dict[int, contract.WriteResult] = {}
        ready = []
        for n, p in enumerate(prepared):
            why = next(filter(None, (fields.option_problem(k, v) for k, v in p.fields.items())), None)
            if p.failure is not None or why is not None:
                results[n] = p.failure or contract.WriteResult(
                    p.ref, ok=False, code="INVALID_VALUE", message=why or ""
                )
            else:
                ready.append((n, p))
        self._held.hold([p.ref for _, p in ready])  # what each write replaces, for the audit
        ready.sort(key=lambda item: _rank(changes[item[0]]))
        # Sent in that order, a few at once: once the day's tokens are spent, none of the rest is.
        sent = kit.fan_out(self._write, [p for _, p in ready], at_once=self._client.caller.limiter.at_once)
        results.update((n, result) for (n, _), result in zip(ready, sent, strict=True))
        return [results[n] for n in range(len(prepared))]

    def _write(self, p: kit.Prepared[object]) -> contract.WriteResult:
        held = self._held.get(p.ref.record_id) or {}
        changed = {k: v for k, v in p.fields.items() if k not in held or held[k] != kit.raw_value(v)}
        if changed:
            path, body = f"/api/v2/persons/{p.ref.record_id}", self._fields().body(changed)
            try:
                self._client.call("person update", "PATCH", path, COSTS["update"], json=body)
            except contract.BudgetExhausted:
                return self._retry_later(p.ref)
            except kit.CallRefused as e:  # 404: deleted or merged away; 400: a value Pipedrive refuses
                return contract.WriteResult(p.ref, False, str(e.status), str(e)[:300], gone=e.status == 404)  # noqa: PLR2004
            except contract.TransientError as e:
                return contract.WriteResult(p.ref, False, "TRANSIENT", str(e)[:300], retryable=True)
        return self._held.written(contract.WriteResult(p.ref, ok=True), changed)

    def _retry_later(self, ref: RecordRef) -> contract.WriteResult:
        message = "the day's Pipedrive token budget is spent: written next cycle"
        return contract.WriteResult(ref, False, _SPENT, message, retryable=True)


def _rank(change: contract.Change) -> int:
    """0 for a change of stage or owner, 1 for the rest (a score): the order writes are sent in."""
    return 0 if any(name in change.values for name in FIRST) else 1
