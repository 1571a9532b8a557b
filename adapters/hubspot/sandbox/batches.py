"""Batch read and batch update of CRM objects, with HubSpot's all-or-nothing validation.

Checked against api-notes.md and real bodies quoted in public code: ≤ 100 inputs; ids not
found are one OBJECT_NOT_FOUND error in a 207 ("Could not get some CONTACT objects, …",
`context.ids`), the others are read or written; duplicate ids are a 400 ("Duplicate IDs
found in batch input: [...]. IDs must be unique"); one bad property value anywhere fails
the whole batch with a 400 and nothing is written. One batch writes one modification
stamp. Ids of merged-away records answer as the record they were merged into.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .collection import ObjectCollection, Record
from .errors import BatchError, PropertyProblem, invalid_input, property_problems
from .stamps import iso_ms
from .writes import kept_changes, normalised

__all__ = [
    "MAX_HISTORY_INPUTS",
    "MAX_INPUTS",
    "BatchContext",
    "batch_answer",
    "read_batch",
    "update_batch",
    "write_one",
]

MAX_INPUTS = 100
MAX_HISTORY_INPUTS = 50
"""Inputs of a batch read asking for `propertiesWithHistory` (the real 400's message is quoted
in PipedreamHQ/pipedream#8462)."""
_UNNAMED = BatchError("INTERNAL_ERROR", "Unable to update the object; please try again later")
"""A per-record failure whose `context` names no ids: real 207 errors may carry none (api-notes,
"Corrections, 2026-12"); this category and message are the sandbox's own (none recorded)."""


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What a batch needs from the store: id resolution, write checks, stamps and the portal."""

    resolve: Callable[[str], str]  # a merged-away id → the surviving record's id
    problems: Callable[[ObjectCollection, str, Mapping[str, object]], list[PropertyProblem]]
    stamp: Callable[[], int]  # the modification stamp of a write, epoch ms
    now_ms: Callable[[], int]
    portal_id: int
    unconfirmed: Collection[str] = ()  # ids whose write fails with an error naming no ids


def batch_answer(
    results: list[dict[str, Any]], errors: Sequence[BatchError], *, started_ms: int, completed_ms: int
) -> tuple[int, dict[str, Any]]:
    """200 with the results, or 207 when some inputs failed."""
    answer: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        answer["numErrors"] = len(errors)
        answer["errors"] = [e.to_json() for e in errors]
    answer["startedAt"], answer["completedAt"] = iso_ms(started_ms), iso_ms(completed_ms)
    return (207 if errors else 200), answer


def read_batch(
    collection: ObjectCollection, body: object, context: BatchContext
) -> tuple[int, dict[str, Any]]:
    """`POST /crm/v3/objects/{type}/batch/read`."""
    started = context.now_ms()
    inputs = _inputs(body)
    options: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    wanted = [str(p) for p in options.get("properties") or []]
    by_email = options.get("idProperty") == "email" and collection.object_type == "contacts"
    with_history = [str(p) for p in options.get("propertiesWithHistory") or []]
    if with_history and len(inputs) > MAX_HISTORY_INPUTS:
        raise invalid_input(
            "The maximum number of inputs supported in a batch request for property histories is "
            f"{MAX_HISTORY_INPUTS}. Please reduce the number of items and try again"
        )
    results, missing, seen = [], [], set()
    for item in inputs:
        given = str(item.get("id", ""))
        record = _last(collection.with_email(given)) if by_email else collection.get(context.resolve(given))
        if record is None:
            missing.append(given)
        elif record.id not in seen:
            seen.add(record.id)
            answer = collection.to_json(record, wanted)
            if with_history:
                answer["propertiesWithHistory"] = collection.history_json(record, with_history)
            results.append(answer)
    return batch_answer(
        results, _not_found(collection, missing), started_ms=started, completed_ms=context.now_ms()
    )


def update_batch(
    collection: ObjectCollection, body: object, context: BatchContext
) -> tuple[int, dict[str, Any]]:
    """`POST /crm/v3/objects/{type}/batch/update`."""
    started = context.now_ms()
    inputs = _inputs(body)
    ids = [str(item.get("id", "")) for item in inputs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise invalid_input(
            f"Duplicate IDs found in batch input: [{', '.join(duplicates)}]. IDs must be unique",
            context={"ids": duplicates},
        )
    writes = [(context.resolve(i), _properties(item)) for i, item in zip(ids, inputs, strict=True)]
    problems = [p for object_id, values in writes for p in context.problems(collection, object_id, values)]
    if problems:
        raise property_problems(problems, portal_id=context.portal_id)
    stamp = context.stamp()
    results, missing, unnamed = [], [], []
    for given, (object_id, values) in zip(ids, writes, strict=True):
        record = collection.get(object_id)
        if record is None:
            missing.append(given)
        elif object_id in context.unconfirmed:
            unnamed.append(_UNNAMED)
        else:
            write_one(collection, record, values, stamp_ms=stamp)
            results.append(collection.to_json(record, list(values)))
    errors = [*_not_found(collection, missing), *unnamed]
    return batch_answer(results, errors, started_ms=started, completed_ms=context.now_ms())


def write_one(
    collection: ObjectCollection, record: Record, values: Mapping[str, object], *, stamp_ms: int
) -> None:
    """Write checked values as HubSpot keeps them (see `kept_changes`), bumping the stamp."""
    definitions = collection.definitions
    written = {name: normalised(definitions[name], value) for name, value in values.items()}
    collection.write(record, kept_changes(record.properties, written), stamp_ms=stamp_ms)


def _inputs(body: object) -> list[Mapping[str, Any]]:
    inputs = body.get("inputs") if isinstance(body, Mapping) else None
    if not isinstance(inputs, list) or not all(isinstance(i, Mapping) for i in inputs):
        raise invalid_input("Invalid input JSON: inputs must be a list of objects")
    if len(inputs) > MAX_INPUTS:
        raise invalid_input(
            f"The maximum number of inputs supported in a batch request is {MAX_INPUTS}, got {len(inputs)}. "
            "Please reduce the number of items and try again"
        )
    return inputs


def _properties(item: Mapping[str, Any]) -> dict[str, object]:
    properties = item.get("properties")
    if not isinstance(properties, Mapping):
        raise invalid_input("Invalid input JSON: each input needs an id and a properties object")
    return dict(properties)


def _last(records: list[Record]) -> Record | None:
    """The last added of the records sharing an e-mail (HubSpot keeps e-mails unique; seeded dirt may not)."""
    return records[-1] if records else None


def _not_found(collection: ObjectCollection, missing: list[str]) -> list[BatchError]:
    if not missing:
        return []
    kind = collection.object_type.removesuffix("s").upper()
    message = (
        f"Could not get some {kind} objects, they may be deleted or not exist. Check that ids are valid."
    )
    return [BatchError("OBJECT_NOT_FOUND", message, {"ids": missing})]
