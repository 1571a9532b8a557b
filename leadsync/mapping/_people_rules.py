"""Check and compile one `[people.<object>]` table into a PeopleMapping."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Final, NamedTuple

from leadsync.exceptions import ModelError
from leadsync.mapping._checks import SCALARS, Checker, key_of
from leadsync.mapping._same_as import SameAsRules
from leadsync.mapping.crm_values import ABSENT, PERSON_TARGETS, conversion_for, value_key
from leadsync.mapping.people import FieldRule, PeopleMapping
from leadsync.mapping.transforms import TRANSFORMS, shown
from leadsync.mapping.write import WriteTarget
from leadsync.model import JobLevel, Stage
from leadsync.problems import Problems

__all__ = ["PeopleRules"]

_GROUPS: Final = ("qualification", "attributes")
_TARGETS: Final = (*PERSON_TARGETS, "qualification.<name>", "attributes.<name>")
_FIELD_KEYS: Final = ("from", "transform", "values")
_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_SPEC_EXAMPLE: Final = (
    'e.g. employees = "NumberOfEmployees", or employees = { from = "NumberOfEmployees", transform = ["int"] }'
)
_VALUE_HINTS: Final = {
    "stage": f'use a stage id: {", ".join(Stage)} (or "" to read it as no stage)',
    "job_level": f"use a job level id: {', '.join(JobLevel)}",
}


class PeopleRules(Checker):
    """Builds a PeopleMapping from its TOML table, recording every problem found; `crms` (configured
    name → adapter) resolves the CRMs its same-as fields name (None: kept as written)."""

    def __init__(self, problems: Problems, crms: Mapping[str, str] | None = None) -> None:
        super().__init__(problems)
        self._same_as = SameAsRules(problems, crms)

    def people(
        self, name: str, raw: object, key: str, stage_writes: Sequence[WriteTarget]
    ) -> PeopleMapping | None:
        """The mapping of one people object; `stage_writes` may give the stage read map by inversion."""
        table = self.table(raw, key, f'give [{key}.fields] with at least email = "Email"')
        if table is None:
            return None
        self.unknown_keys(table, ("fields", "same_as"), key)
        same_as = self._same_as.rules(table.get("same_as"), key_of(key, "same_as"))
        fields_key = key_of(key, "fields")
        if "fields" not in table:
            self.add(fields_key, "is missing", f'add [{fields_key}] with at least email = "Email"')
            return None
        fields = self.table(table["fields"], fields_key, 'e.g. email = "Email"')
        if fields is None:
            return None
        rules: dict[str, FieldRule] = {}
        writes = _StageWrites(key_of("write", name, "stage"), tuple(stage_writes))
        for target, spec, spec_key in _entries(fields, fields_key):
            rule = self.field_rule(target, spec, spec_key, writes)
            if rule is not None and rule.target in rules:
                self.add(spec_key, f"{target} is mapped twice", "keep one of the two entries")
            elif rule is not None:
                rules[target] = rule
        if "email" not in fields:
            self.add(
                key_of(fields_key, "email"),
                "is missing: a person is linked across CRMs by e-mail",
                f'add email = "…" under [{fields_key}] with the CRM field holding the address',
            )
        return PeopleMapping(name, rules, same_as) if "email" in rules else None

    def field_rule(self, target: str, spec: object, key: str, writes: _StageWrites) -> FieldRule | None:
        """One model field's rule: CRM field, transforms, value map (given, or derived for stage)."""
        before = self.count
        known = self.target(target, key)
        source, transforms, values = self.spec(spec, key)
        steps = self.transforms(transforms, key_of(key, "transform"))
        table = self.values(values, key_of(key, "values"), target) if known else None
        derived = False
        if target == "stage" and values is None and source is not None:
            table = self.derived_stage_values(source, writes, key)
            derived = table is not None
        if self.count > before or source is None:
            return None
        return FieldRule(target, source, steps, table or {}, values_derived=derived)

    def target(self, target: str, key: str) -> bool:
        """Whether `target` is a model field a mapping may fill."""
        if target in PERSON_TARGETS:
            return True
        group, dot, name = target.partition(".")
        if dot and group in _GROUPS:
            if _NAME.match(name):
                return True
            self.add(
                key,
                f"{shown(name)} is not a valid {group} name",
                f'use lower-case letters, digits and _, starting with a letter, e.g. "{group}.budget"',
            )
            return False
        if target == "ref":
            self.add(key, "ref cannot be mapped: the adapter sets it from the record id", "remove it")
            return False
        if target in _GROUPS:
            self.add(key, f"{target} needs a name", f'write "{target}.<name>" = "CRM_Field__c"')
            return False
        self.unknown_name(target, key, "common-model field", _TARGETS)
        return False

    def spec(self, spec: object, key: str) -> tuple[str | None, object, object]:
        """The CRM field, the raw transform list and the raw value map of one entry."""
        if isinstance(spec, str):
            return self.crm_name(spec, key, _SPEC_EXAMPLE), None, None
        if not isinstance(spec, Mapping):
            self.add(key, "must be a CRM field name or a table", _SPEC_EXAMPLE)
            return None, None, None
        self.unknown_keys(spec, _FIELD_KEYS, key)
        source = None
        if "from" in spec:
            source = self.crm_name(spec["from"], key_of(key, "from"), 'e.g. from = "NumberOfEmployees"')
        else:
            self.add(key_of(key, "from"), "is missing", 'name the CRM field read, e.g. from = "Status"')
        return source, spec.get("transform"), spec.get("values")

    def transforms(self, raw: object, key: str) -> tuple[str, ...]:
        """The transform names, in order; `transform = "trim"` is a list of one."""
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.add(key, "must be a list of transform names", 'e.g. transform = ["trim", "int"]')
            return ()
        names = []
        for i, item in enumerate(raw):
            if isinstance(item, str) and item in TRANSFORMS:
                names.append(item)
            else:
                self.unknown_name(str(item), f"{key}[{i}]", "transform", tuple(TRANSFORMS))
        return tuple(names)

    def values(self, raw: object, key: str, target: str) -> dict[str, object] | None:
        """The read value map: case-folded CRM value -> converted model value (`ABSENT` for "")."""
        if raw is None:
            return None
        table = self.table(raw, key, 'e.g. values = { France = "FR", "United States" = "US" }')
        if table is None:
            return None
        if not table:
            self.add(key, "is empty", "list CRM values and what they mean, or remove `values`")
            return None
        conversion = conversion_for(target)
        result: dict[str, object] = {}
        spelled: dict[str, str] = {}
        for crm_value, model_value in table.items():
            entry = key_of(key, crm_value)
            folded = crm_value.casefold()
            if folded in spelled:
                self.add(
                    entry,
                    f"repeats {shown(spelled[folded])}: CRM values are matched case-insensitively",
                    "keep one of them",
                )
                continue
            spelled[folded] = crm_value
            if not isinstance(model_value, SCALARS):
                self.add(entry, "must be a single value", 'e.g. "FR", 250 or true')
            elif model_value == "":
                result[folded] = ABSENT
            else:
                try:
                    result[folded] = conversion(model_value)
                except ModelError as exc:
                    hint = _VALUE_HINTS.get(target, f"give a value the {target} field takes")
                    self.add(entry, f"cannot be read as {target}: {exc}", hint)
        return result

    def derived_stage_values(self, source: str, writes: _StageWrites, key: str) -> dict[str, object] | None:
        """The read map of `stage`: the inverse of the write map to the same CRM field, if any."""
        written = next(
            (t for t in writes.targets if t.field.casefold() == source.casefold() and t.values is not None),
            None,
        )
        if written is None or written.values is None:
            return None
        inverse: dict[str, object] = {}
        owner: dict[str, str] = {}
        for stage_id, crm_value in written.values.items():
            folded = value_key(crm_value)
            if folded in owner:
                self.add(
                    key,
                    f"{source} cannot be read back: {shown(crm_value)} is written for both "
                    f"{owner[folded]} and {stage_id} in {writes.key}",
                    f'give the read map: stage = {{ from = "{source}", values = {{ '
                    f'"{str(crm_value)[:40]}" = "{owner[folded]}", … }} }}',
                )
                continue
            owner[folded] = stage_id
            inverse[folded] = Stage(stage_id)
        return None if len(owner) < len(written.values) else inverse


class _StageWrites(NamedTuple):
    key: str
    targets: tuple[WriteTarget, ...]


def _entries(fields: Mapping[str, object], key: str) -> Iterator[tuple[str, object, str]]:
    """(target, spec, key) per entry; `qualification = { budget = "X" }` is read as qualification.budget."""
    for target, spec in fields.items():
        if target in _GROUPS and isinstance(spec, Mapping) and "from" not in spec:
            for name, inner in spec.items():
                yield f"{target}.{name}", inner, key_of(key, target, name)
        else:
            yield target, spec, key_of(key, target)
