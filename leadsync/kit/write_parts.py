"""Changes written in two parts: the values a CRM takes only through a call of their own, and the rest.

Some managed values are no property a batch update can set (HubSpot's opt-out of all e-mail
goes through its subscriptions API). Each change is split: the named values and properties go
to their own writer, everything else to the batch writer, each part only when it holds
something. Each change gets one result, in order: its first failed part's, else done, with
what every part wrote (the audit a rollback restores from).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

from leadsync.adapter_api import Change, PropertyWrite, WriteResult

__all__ = ["ChangeWriter", "written_in_parts"]

ChangeWriter = Callable[[Sequence[Change]], Iterable[WriteResult]]
"""Writes changes; one result per change, in order."""


def written_in_parts(
    changes: Sequence[Change],
    *,
    values: Collection[str],
    properties: Collection[str],
    own: ChangeWriter,
    rest: ChangeWriter,
) -> list[WriteResult]:
    """Write the managed `values` and CRM `properties` of each change with `own`, the rest with `rest`."""
    owned = [_part(c, values, properties, keep=True) for c in changes]
    if not any(owned):
        return list(rest(changes))
    others = _written(rest, [_part(c, values, properties, keep=False) for c in changes])
    return [_joined(c, [*o, *r]) for c, o, r in zip(changes, _written(own, owned), others, strict=True)]


def _written(writer: ChangeWriter, parts: Sequence[Change | None]) -> list[list[WriteResult]]:
    """Each part's result (none for a part that holds nothing), the parts sent in one call."""
    sent = [(index, part) for index, part in enumerate(parts) if part is not None]
    found: list[list[WriteResult]] = [[] for _ in parts]
    if sent:
        for (index, _), result in zip(sent, writer([part for _, part in sent]), strict=True):
            found[index].append(result)
    return found


def _part(
    change: Change, values: Collection[str], properties: Collection[str], *, keep: bool
) -> Change | None:
    """The change's named values and properties (`keep`) or all the others; None when that is nothing."""
    part = Change(
        change.ref,
        {k: v for k, v in change.values.items() if (k in values) is keep},
        {k: v for k, v in change.previous.items() if (k in values) is keep},
        {k: v for k, v in change.properties.items() if (k in properties) is keep},
    )
    return part if part.values or part.properties else None


def _joined(change: Change, results: Sequence[WriteResult]) -> WriteResult:
    """One result for a change written in parts: done when every part was."""
    failed = next((r for r in results if not r.ok), None)
    if failed is not None:
        return failed
    written: dict[str, PropertyWrite] = {}
    for result in results:
        written.update(result.properties)
    return WriteResult(change.ref, True, properties=written)
