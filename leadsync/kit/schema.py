"""`check()`'s schema check: the mapping against a CRM's fields, described in the kit's terms.

An adapter fetches its schema (HubSpot's properties API, Salesforce's describe), turns each
field into a `CrmField` and passes its own wording (`SchemaWords`); `schema_problems` finds
every mapped field that is missing, read-only, of an incompatible kind, or written a value
that is not one of its active options. Objects the adapter did not describe are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Final

from leadsync.adapter_api import CrmMapping, Problem, WriteTarget

__all__ = ["READ_KINDS", "WRITE_KINDS", "CrmField", "FieldKind", "SchemaWords", "schema_problems"]


class FieldKind(Enum):
    """What a CRM field holds, whatever the CRM calls its type; the value is shown in messages."""

    TEXT = "text"
    NUMBER = "number"
    WHEN = "date/time"
    BOOL = "checkbox"
    CHOICE = "choice list"
    REFERENCE = "record reference"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CrmField:
    """One field of a CRM object as the schema check sees it."""

    name: str
    kind: FieldKind
    type_name: str  # the CRM's own name for the type, shown in messages
    writable: bool = True
    why_read_only: str = ""  # e.g. "a formula"
    options: frozenset[str] = frozenset()  # a choice field's active options
    relationship: str | None = None  # the name a `Relationship.Field` read goes through


@dataclass(frozen=True, slots=True)
class SchemaWords:
    """How one CRM names things in the check's messages, and how its admin fixes them."""

    crm: str  # "Salesforce"
    noun: str  # what the CRM calls a field: "field", "property"
    missing_fix: Callable[[str, str], str]  # (object, field) -> how to create or expose it
    read_only_fix: str
    written_elsewhere: frozenset[str] = frozenset()  # managed values written through another API


_PLAIN: Final = frozenset({FieldKind.TEXT, FieldKind.CHOICE, FieldKind.REFERENCE})
_FLAG: Final = frozenset({FieldKind.BOOL})
_WHEN: Final = frozenset({FieldKind.WHEN})
_LABEL: Final = frozenset({FieldKind.CHOICE, FieldKind.TEXT})

READ_KINDS: Final[Mapping[str, frozenset[FieldKind]]] = MappingProxyType(
    {
        "email": frozenset({FieldKind.TEXT}),
        "employees": frozenset({FieldKind.NUMBER}),
        "created_at": _WHEN,
        "updated_at": _WHEN,
        "stage": _LABEL,
        "email_opt_out": _FLAG,
    }
)
"""The kinds a person field reads, besides text-like for the rest and checkboxes for qualification."""

WRITE_KINDS: Final[Mapping[str, frozenset[FieldKind]]] = MappingProxyType(
    {
        "score": frozenset({FieldKind.NUMBER}),
        "owner": frozenset({FieldKind.REFERENCE}),
        "stage": _LABEL,
        "temperature": _LABEL,
        "grade": _LABEL,
        "engagement_score": frozenset({FieldKind.NUMBER}),
        "grade_matrix": _LABEL,
        "stage_entered_at": _WHEN,
        "reasons": frozenset({FieldKind.TEXT}),
        "email_opt_out": _FLAG,
    }
)
"""The kinds each managed value can be written to."""


def schema_problems(
    mapping: CrmMapping, objects: Mapping[str, Mapping[str, CrmField]], words: SchemaWords
) -> list[Problem]:
    """Every mismatch of the mapping with the described `objects` (name -> field name -> field).

    Problems come people first, then activities, then writes, each in the order of `objects`.
    A transform or a value map of the mapping's own converts what a field holds, so such a
    read is not checked for its kind.
    """
    checks = [_Object(str(mapping.file), words, name, fields) for name, fields in objects.items()]
    found: list[Problem] = []
    for check in checks:
        people = mapping.people.get(check.name)
        for model_field, rule in people.fields.items() if people else ():
            converted = bool(rule.transforms) or (bool(rule.values) and not rule.values_derived)
            kinds = None if converted else _read_kinds(model_field)
            key = f"people.{check.name}.fields.{model_field}"
            found += check.read(key, rule.source, model_field, kinds)
        for same in people.same_as if people else ():  # an id of the person's record elsewhere
            found += check.read(f"people.{check.name}.same_as.{same.crm}.{same.object_type}", same.source)
    for check in checks:
        activities = mapping.activities.get(check.name)
        for source in activities.source_fields() if activities else ():
            found += check.read(f"activities.{check.name}", source)
    for check in checks:
        write = mapping.write.get(check.name)
        for managed, targets in write.targets.items() if write else ():
            for n, target in enumerate(targets):
                key = f"write.{check.name}.{managed}" + (f"[{n}]" if len(targets) > 1 else "")
                found += check.write(key, target)
    return found


def _read_kinds(target: str) -> frozenset[FieldKind] | None:
    if target.startswith("qualification."):
        return _FLAG
    if target.startswith("attributes."):
        return None  # an attribute keeps whatever single value the CRM holds
    return READ_KINDS.get(target, _PLAIN)


def _wanted(kinds: frozenset[FieldKind]) -> str:
    return " or ".join(sorted(kind.value for kind in kinds))


@dataclass(frozen=True, slots=True)
class _Object:
    """The checks of one mapped object against the fields its CRM described."""

    file: str
    words: SchemaWords
    name: str
    fields: Mapping[str, CrmField]

    def read(
        self, key: str, source: str, target: str = "", kinds: frozenset[FieldKind] | None = None
    ) -> Iterator[Problem]:
        """The problems of reading `source` (into `target`, which needs one of `kinds`)."""
        head, dot, _ = source.partition(".")
        if dot:  # the parent's own field is checked by the query that reads it
            if not any(f.relationship == head for f in self.fields.values()):
                yield Problem(
                    self.file,
                    key,
                    f"{self.name} has no relationship {head!r} (read as {source!r})",
                    f"use a relationship name `leadsync check --live` can describe, or remove {key}",
                )
            return
        field = self.fields.get(source)
        if field is None:
            yield self.missing(key, source)
        elif kinds is not None and field.kind not in kinds:
            noun = self.words.noun
            wanted = f"{_wanted(kinds)} {noun}"
            yield Problem(
                self.file,
                key,
                f"{self.name}.{source} is a {field.type_name} {noun}; {target} needs a {wanted}",
                f"map a {noun} of a compatible type or add a transform",
            )

    def write(self, key: str, target: WriteTarget) -> Iterator[Problem]:
        """The problems of writing `target.managed` to `target.field`."""
        field = self.fields.get(target.field)
        if field is None:
            yield self.missing(key, target.field)
            return
        where = f"{self.name}.{target.field}"
        if not field.writable and target.managed not in self.words.written_elsewhere:
            why = f" ({field.why_read_only})" if field.why_read_only else ""
            yield Problem(
                self.file, key, f"{where} is read-only in {self.words.crm}{why}", self.words.read_only_fix
            )
        kinds = WRITE_KINDS[target.managed]
        if field.kind not in kinds:
            wanted = f"{_wanted(kinds)} {self.words.noun}"
            yield Problem(
                self.file,
                key,
                f"{where} is a {field.type_name} {self.words.noun}; {target.managed} needs a {wanted}",
                f"map {target.managed} to a {wanted}",
            )
        if field.kind is FieldKind.CHOICE and target.values:
            options = ", ".join(sorted(field.options))
            for canonical, value in target.values.items():
                if str(value) not in field.options:
                    yield Problem(
                        self.file,
                        f"{key}.values.{canonical}",
                        f"{value!r} is not an option of {where}",
                        f"add it to the {self.words.noun}'s options in {self.words.crm}, "
                        f"or map {canonical} to one of: {options}",
                    )

    def missing(self, key: str, field: str) -> Problem:
        """`field` is not among the fields the CRM showed."""
        return Problem(
            self.file,
            key,
            f"{field!r} is not a {self.words.noun} of {self.name}",
            self.words.missing_fix(self.name, field),
        )
