"""Read one CRM object of people into `Person` values through field rules compiled once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from leadsync.emails import normalize_email
from leadsync.exceptions import ModelError
from leadsync.mapping.crm_values import ABSENT, TEXT, Getter, conversion_for, getter, value_key
from leadsync.mapping.transforms import TRANSFORMS, Convert, shown, to_bool
from leadsync.model import Person, RecordRef

__all__ = ["FieldRule", "PeopleMapping", "SameAs"]

Reader = Callable[[Mapping[str, object]], object]
_Step = tuple[str, str, type | None, Reader]  # model name, CRM field, type read as is, full reader
_Plan = tuple[_Step, ...]
_MISS: Final = object()
_CHECKED_EMAILS: Final = ("email", "owner_email")


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one model field is read: the CRM field, its transforms in order, then the value map.

    `values` is keyed by the case-folded CRM value and holds model values already converted
    (`ABSENT` where the admin mapped a CRM value to ""). A CRM value missing from the map goes
    on to the model field's own conversion (text, whole number, datetime, stage id...).
    """

    target: str
    source: str
    transforms: tuple[str, ...] = ()
    values: Mapping[str, object] = field(default_factory=dict)
    values_derived: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))


@dataclass(frozen=True, slots=True)
class SameAs:
    """A CRM field holding the id of the same person's record in another CRM (`crm`, as configured)."""

    crm: str
    object_type: str
    source: str


@dataclass(frozen=True, slots=True)
class PeopleMapping:
    """How records of one CRM object (Lead, Contact, contacts) become `Person` values."""

    object_name: str
    fields: Mapping[str, FieldRule]
    same_as: tuple[SameAs, ...] = ()  # in the order the mapping lists them
    _plain: _Plan = field(init=False, repr=False, compare=False)
    _qualification: _Plan = field(init=False, repr=False, compare=False)
    _attributes: _Plan = field(init=False, repr=False, compare=False)
    _same_as: tuple[tuple[SameAs, Getter], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if "email" not in self.fields:
            raise ValueError(f"PeopleMapping {self.object_name!r} needs a rule for email")
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        plans: dict[str, list[_Step]] = {"": [], "qualification": [], "attributes": []}
        for target, rule in self.fields.items():
            group, _, name = target.rpartition(".")
            plans[group].append((name, rule.source, _fast_type(rule), _reader(rule, self.object_name)))
        object.__setattr__(self, "_plain", tuple(plans[""]))
        object.__setattr__(self, "_qualification", tuple(plans["qualification"]))
        object.__setattr__(self, "_attributes", tuple(plans["attributes"]))
        object.__setattr__(self, "_same_as", tuple((rule, getter(rule.source)) for rule in self.same_as))

    def source_fields(self) -> tuple[str, ...]:
        """The CRM fields this mapping reads, sorted: exactly what the adapter must fetch."""
        sources = {rule.source for rule in self.fields.values()} | {rule.source for rule in self.same_as}
        return tuple(sorted(sources))

    def to_person(self, raw: Mapping[str, object], ref: RecordRef) -> Person:
        """The person in `raw` (CRM field names as keys); a ModelError names the bad CRM field."""
        values: dict[str, Any] = {}  # keyword arguments of Person, typed by each field's conversion
        _read_into(values, self._plain, raw)
        if self._qualification:
            answers: dict[str, object] = {}
            _read_into(answers, self._qualification, raw)
            if answers:
                values["qualification"] = MappingProxyType(answers)  # Person keeps it without a copy
        if self._attributes:
            attributes: dict[str, object] = {}
            _read_into(attributes, self._attributes, raw)
            if attributes:
                values["attributes"] = MappingProxyType(attributes)
        if "email" not in values:
            raise ModelError(f"{self._where('email')}: is empty; a person needs an e-mail address")
        if self._same_as:
            same_as = self._same_as_in(raw)
            if same_as:
                values["same_as"] = same_as
        try:
            return Person(ref, **values)
        except ModelError as exc:
            raise self._diagnosed(values, exc) from None

    def _same_as_in(self, raw: Mapping[str, object]) -> tuple[RecordRef, ...]:
        """The records of this person elsewhere whose ids `raw` holds (an empty field names none)."""
        found = []
        for rule, get in self._same_as:
            value = get(raw)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                if value is None:
                    continue
                where = f"{self.object_name} field {rule.source!r} (same_as.{rule.crm}.{rule.object_type})"
                raise ModelError(f"{where}: {shown(value)} is not a record id")
            if value.strip():
                found.append(RecordRef(rule.crm, rule.object_type, value.strip()))
        return tuple(found)

    def _where(self, target: str) -> str:
        return f"{self.object_name} field {self.fields[target].source!r} ({target})"

    def _diagnosed(self, values: Mapping[str, object], exc: ModelError) -> ModelError:
        """Name the CRM field behind a value `Person` refused (e-mails are checked there, once)."""
        for target in _CHECKED_EMAILS:
            value = values.get(target)
            if isinstance(value, str):
                try:
                    normalize_email(value)
                except ModelError as bad:
                    return ModelError(f"{self._where(target)}: {bad}")
        return ModelError(f"{self.object_name}: {exc}")


def _read_into(values: dict[str, object], plan: _Plan, raw: Mapping[str, object]) -> None:
    """Read every field of `plan` from `raw` into `values`, leaving absent ones out.

    The hot path of a sync: a plain text or yes/no field whose CRM value already has the
    model's type is taken without a call; anything else goes through its full reader.
    """
    for name, source, fast, read in plan:
        if fast is not None:
            value = raw.get(source)
            if type(value) is fast:
                if value != "":
                    values[name] = value
                continue
            if value is None:
                continue
        value = read(raw)
        if value is not ABSENT:
            values[name] = value


def _fast_type(rule: FieldRule) -> type | None:
    """The type a CRM value may have to be used unchanged, when the rule converts nothing."""
    if rule.transforms or rule.values or "." in rule.source:
        return None
    if conversion_for(rule.target) is to_bool:  # qualification answers, email_opt_out
        return bool
    return str if conversion_for(rule.target) is TEXT else None


def _converter(rule: FieldRule) -> Convert:
    """Transforms, then the value map, then the model field's conversion, as one function."""
    conversion = conversion_for(rule.target)
    steps = tuple(TRANSFORMS[name] for name in rule.transforms)
    table = rule.values
    if not steps and not table:
        return conversion

    def translate(value: object) -> object:
        mapped = table.get(value.casefold() if type(value) is str else value_key(value), _MISS)
        return conversion(value) if mapped is _MISS else mapped

    if not steps:
        return translate

    def convert(value: object) -> object:
        for step in steps:
            value = step(value)
        if value == "":  # "  " trimmed, say: as empty as no value at all
            return ABSENT
        return translate(value) if table else conversion(value)

    return convert


def _reader(rule: FieldRule, object_name: str) -> Reader:
    """Read, convert and check one field of a raw record; `ABSENT` for an empty value."""
    source = rule.source
    get = getter(source)
    convert = _converter(rule)
    where = f"{object_name} field {source!r} ({rule.target})"

    def read(raw: Mapping[str, object]) -> object:
        value = get(raw)
        if value is None or value == "":
            return ABSENT
        try:
            return convert(value)
        except ModelError as exc:
            raise ModelError(f"{where}: {exc}") from None

    def read_flat(raw: Mapping[str, object]) -> object:  # `read` without a call to find the value
        value = raw.get(source)
        if value is None or value == "":
            return ABSENT
        try:
            return convert(value)
        except ModelError as exc:
            raise ModelError(f"{where}: {exc}") from None

    return read if "." in source else read_flat
