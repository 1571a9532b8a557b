"""Managed values ↔ CRM values, both ways through a mapping's `[write.<object>]` tables.

Before a write, each `Change` becomes CRM field values; a change naming an object, a managed
value or a property the tables do not name is refused before anything is sent. After a read,
a record's CRM values become model values: a stage or temperature is every id whose written
values the record holds (several when a mapping leaves a property unwritten for some: the
first, and the others as alternatives), else the read map's id for the value, else the value
itself when it is an id; a score is a whole number, an owner id its owner's e-mail, a
date-time aware UTC, a checkbox a bool, anything else text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Generic, TypeVar

from leadsync.adapter_api import Change, CurrentValues, RawValue, UnmappedFieldError, WriteResult
from leadsync.mapping import CANONICAL_IDS, CrmMapping, WriteMapping
from leadsync.model import RecordRef

__all__ = ["Prepared", "Refused", "WriteValues", "instant_of", "owner_ids"]

V = TypeVar("V")
_Pair = tuple[str | None, str, object]  # (managed value, or None for a raw property; CRM field; CRM value)
_Written = tuple[tuple[str, tuple[tuple[str, object], ...]], ...]  # id -> the (field, value) pairs it writes

_INVALID: Final = "INVALID_VALUE"
_NUMBERS: Final = frozenset({"score", "engagement_score"})


@dataclass(frozen=True, slots=True)
class Refused:
    """A value the CRM cannot take (an owner it does not know): its record fails, the others go on."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Prepared(Generic[V]):
    """One change in CRM terms (field → value in the CRM's format), or why it cannot be sent."""

    ref: RecordRef
    fields: dict[str, V]
    failure: WriteResult | None = None


class WriteValues:
    """One CRM's write tables: changes in CRM terms before a write, records in model terms after a read."""

    def __init__(self, mapping: CrmMapping) -> None:
        self._mapping = mapping
        self._written = {
            (name, managed): _written(write, managed, ids)
            for name, write in mapping.write.items()
            for managed, ids in CANONICAL_IDS.items()
            if managed in write.targets
        }

    def prepared(
        self,
        changes: Sequence[Change],
        convert: Callable[[str, object], V | Refused],
        raw: Callable[[object], V],
    ) -> list[Prepared[V]]:
        """Each change in CRM terms: a managed value's mapped CRM values through `convert(managed,
        value)`, a raw property through `raw`; a value that is no id fails its record (INVALID_VALUE).

        Raises UnmappedFieldError before anything is converted when one change names an
        object, a managed value or a property the mapping does not name.
        """
        mapped = [self._mapped(change) for change in changes]
        return [
            _converted(change.ref, pairs, convert, raw)
            if isinstance(pairs, list)
            else Prepared(change.ref, {}, pairs)
            for change, pairs in zip(changes, mapped, strict=True)
        ]

    def current(
        self,
        ref: RecordRef,
        values: Mapping[str, object],
        properties: Mapping[str, RawValue],
        *,
        email_of: Callable[[str], str | None],
        modified_by: str | None = None,
    ) -> CurrentValues:
        """A record's managed values from its CRM `values`; `email_of` turns an owner id into an e-mail."""
        managed: dict[str, object] = {}
        alternatives: dict[str, tuple[object, ...]] = {}
        for name, targets in self._mapping.write[ref.object_type].targets.items():
            if name not in CANONICAL_IDS:
                managed[name] = _model_value(name, values.get(targets[0].field), email_of)
                continue
            ids = self._ids(ref.object_type, name, targets[0].field, values)
            managed[name] = ids[0] if ids else None
            if ids[1:]:
                alternatives[name] = ids[1:]
        return CurrentValues(ref, managed, modified_by, alternatives, properties)

    def _mapped(self, change: Change) -> list[_Pair] | WriteResult:
        ref, file = change.ref, self._mapping.file
        table = f"write.{ref.object_type}"
        write = self._mapping.write.get(ref.object_type)
        if write is None:
            raise UnmappedFieldError(
                f"{file} [{table}]: {ref} is of an object the mapping writes nothing to; nothing was sent. "
                f"Fix: add a [{table}] table, or plan no changes for it"
            )
        for managed in change.values:
            if managed not in write.targets:
                raise UnmappedFieldError(
                    f"{file} [{table}.{managed}]: {ref} asks to write {managed!r}, which the mapping does "
                    f"not name; nothing was sent. Fix: map it under [{table}]"
                )
        if unnamed := sorted(change.properties.keys() - write.target_fields()):
            raise UnmappedFieldError(
                f"{file} [{table}]: {ref} asks to write {', '.join(map(repr, unnamed))}, which the mapping "
                f"does not name; nothing was sent. Fix: map it under [{table}]"
            )
        pairs: list[_Pair] = []
        for managed, value in change.values.items():
            try:  # None clears every field of the value (a rollback putting back an empty value)
                crm_values: dict[str, object] = (
                    write.crm_values(managed, value)
                    if value is not None
                    else {target.field: None for target in write.targets[managed]}
                )
            except ValueError as exc:  # ModelError: not a stage or temperature id
                return WriteResult(ref, False, _INVALID, f"{file} [{table}.{managed}]: {exc}")
            pairs += ((managed, field, crm_value) for field, crm_value in crm_values.items())
        return pairs + [(None, name, value) for name, value in change.properties.items()]

    def _ids(
        self, object_type: str, managed: str, field: str, values: Mapping[str, object]
    ) -> tuple[str, ...]:
        matching = tuple(
            canonical
            for canonical, wanted in self._written[object_type, managed]
            if all(_same(values.get(name), crm_value) for name, crm_value in wanted)
        )
        raw = values.get(field)
        if matching or raw is None or raw == "":
            return matching
        key, ids = str(raw).casefold(), CANONICAL_IDS[managed]
        people = self._mapping.people.get(object_type)
        rule = people.fields.get(managed) if people else None
        if rule is not None and rule.source.casefold() == field.casefold() and key in rule.values:
            mapped = rule.values[key]
            return (str(mapped),) if mapped in ids else ()  # ABSENT: read as none
        return (key,) if key in ids else ()


def owner_ids(
    owner_id: Callable[[str], V | None], other: Callable[[object], V], *, noun: str
) -> Callable[[str, object], V | Refused]:
    """A `prepared` converter for CRMs that store an owner's id: an owner's e-mail as `owner_id` finds
    it (UNKNOWN_OWNER when no active `noun` has it; an empty owner stays empty), the rest by `other`."""

    def convert(managed: str, value: object) -> V | Refused:
        if managed != "owner" or not value:
            return other(value)
        found = owner_id(str(value))
        return (
            Refused("UNKNOWN_OWNER", f"no active {noun} has the e-mail {value}") if found is None else found
        )

    return convert


def instant_of(raw: object) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (`Z`, `+0000`; none: UTC) or epoch milliseconds."""
    text = raw.isoformat() if isinstance(raw, datetime) else str(raw)
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _converted(
    ref: RecordRef,
    pairs: list[_Pair],
    convert: Callable[[str, object], V | Refused],
    raw: Callable[[object], V],
) -> Prepared[V]:
    fields: dict[str, V] = {}
    for managed, field, value in pairs:
        converted = raw(value) if managed is None else convert(managed, value)
        if isinstance(converted, Refused):
            return Prepared(ref, {}, WriteResult(ref, False, converted.code, converted.message))
        fields[field] = converted
    return Prepared(ref, fields)


def _written(write: WriteMapping, managed: str, ids: Sequence[str]) -> _Written:
    pairs = ((str(canonical), tuple(write.crm_values(managed, canonical).items())) for canonical in ids)
    return tuple((canonical, wanted) for canonical, wanted in pairs if wanted)


def _same(value: object, crm_value: object) -> bool:
    return value is not None and str(value).casefold() == str(crm_value).casefold()


def _model_value(managed: str, raw: object, email_of: Callable[[str], str | None]) -> object:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):  # a checkbox (email_opt_out) is already in model terms
        return raw
    if managed == "owner":
        return email_of(str(raw))
    if managed in _NUMBERS:
        return _whole(str(raw))
    if managed == "stage_entered_at":
        return instant_of(raw)
    return str(raw)


def _whole(text: str) -> int | None:
    try:
        return round(float(text))
    except (ValueError, OverflowError):
        return None
