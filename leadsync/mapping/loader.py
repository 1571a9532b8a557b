"""Load a CRM mapping file: check every part, check the parts against each other, compile once.

Every problem is collected, each with the file, its dotted TOML key and a fix, and raised
together as one ConfigError. The checks are written out rather than left to pydantic: the
format is small but full of unions (a CRM field name or a table, one write target or a
list), which pydantic would report as walls of alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final, TypeVar

from leadsync.conditions import Predicate, always, compile_condition, condition_fields
from leadsync.exceptions import ConfigError, ModelError
from leadsync.mapping._checks import Checker, key_of
from leadsync.mapping._people_rules import PeopleRules
from leadsync.mapping._write_rules import WriteRules
from leadsync.mapping.activities import ActivityMapping, ActivityRule
from leadsync.mapping.people import PeopleMapping
from leadsync.mapping.write import WriteMapping
from leadsync.model import ActivityKind, parse_kind
from leadsync.problems import Problems
from leadsync.toml_input import read_toml

__all__ = ["CrmMapping", "load_mapping"]

_T = TypeVar("_T")
_SECTIONS: Final = ("people", "activities", "write")
_ACTIVITY_KEYS: Final = ("person", "occurred_at", "detail", "rules")
_RULE_KEYS: Final = ("kind", "when")
_KINDS: Final = tuple(ActivityKind)
_RULE_EXAMPLE: Final = 'e.g. kind = "call" and when = { field = "TaskSubtype", op = "=", value = "Call" }'


@dataclass(frozen=True, slots=True)
class CrmMapping:
    """One CRM's mapping file, compiled: how people and activities are read, where values go."""

    file: Path
    people: Mapping[str, PeopleMapping]
    activities: Mapping[str, ActivityMapping]
    write: Mapping[str, WriteMapping]

    def __post_init__(self) -> None:
        for name in ("people", "activities", "write"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


def load_mapping(path: Path, *, crms: Mapping[str, str] | None = None) -> CrmMapping:
    """Load and compile a mapping file; raise one ConfigError listing every problem in it.

    `crms` (each configured CRM's name → its adapter) resolves the CRMs named in
    `[people.<object>.same_as]`; without it they are kept as written.
    """
    raw = read_toml(path, missing_hint="give the path of a mapping file, e.g. mappings/salesforce.toml")
    problems = Problems(str(path))
    mapping = _Loader(problems, crms).mapping(path, raw)
    if problems:
        raise ConfigError(problems.items)
    return mapping


class _Loader(Checker):
    def __init__(self, problems: Problems, crms: Mapping[str, str] | None) -> None:
        super().__init__(problems)
        self._crms = crms

    def mapping(self, path: Path, raw: Mapping[str, object]) -> CrmMapping:
        self.unknown_keys(raw, _SECTIONS, "")
        write_rules, people_rules = WriteRules(self.problems), PeopleRules(self.problems, self._crms)
        write = self.objects(raw, "write", write_rules.write)

        def people_object(name: str, value: object, key: str) -> PeopleMapping | None:
            stage_writes = write[name].targets.get("stage", ()) if name in write else ()
            return people_rules.people(name, value, key, stage_writes)

        people = self.objects(raw, "people", people_object)
        activities = self.objects(raw, "activities", self.activity)
        people_table = raw.get("people")
        people_names = tuple(people_table) if isinstance(people_table, Mapping) else ()
        if not people_names:
            self.add("people", "no people object is mapped", 'add [people.Lead.fields] with email = "Email"')
        for name in write:
            if people_names and name not in people_names:  # values are written to people records only
                self.unknown_name(name, key_of("write", name), "people object", people_names)
        return CrmMapping(path, people, activities, write)

    def objects(
        self, raw: Mapping[str, object], section: str, build: Callable[[str, object, str], _T | None]
    ) -> dict[str, _T]:
        """Each `[section.<object>]` table, built; objects with problems are left out."""
        if section not in raw:
            return {}
        tables = self.table(raw[section], section, f"write [{section}.<object>] tables")
        built: dict[str, _T] = {}
        for name, value in (tables or {}).items():
            key = key_of(section, name)
            if self.crm_name(name, key, 'name the CRM object, e.g. "Lead" or "contacts"') is None:
                continue
            item = build(name, value, key)
            if item is not None:
                built[name] = item
        return built

    def activity(self, name: str, raw: object, key: str) -> ActivityMapping | None:
        """How one object's records become activities."""
        table = self.table(raw, key, f"give person, occurred_at and [[{key}.rules]]")
        if table is None:
            return None
        before = self.count
        self.unknown_keys(table, _ACTIVITY_KEYS, key)
        person = self.required_field(table, "person", key, 'e.g. person = "WhoId"')
        occurred_at = self.required_field(table, "occurred_at", key, 'e.g. occurred_at = "CreatedDate"')
        detail = None
        if "detail" in table:
            detail = self.crm_name(table["detail"], key_of(key, "detail"), 'e.g. detail = "Subject"')
        rules = self.rules(table.get("rules"), key_of(key, "rules"))
        if self.count > before or person is None or occurred_at is None:
            return None
        return ActivityMapping(name, person, occurred_at, detail, rules)

    def required_field(self, table: Mapping[str, object], name: str, key: str, example: str) -> str | None:
        """A CRM field name that must be given."""
        if name not in table:
            self.add(key_of(key, name), "is missing", example)
            return None
        return self.crm_name(table[name], key_of(key, name), example)

    def rules(self, raw: object, key: str) -> tuple[ActivityRule, ...]:
        """The rules of one activity object, in order; a rule after a catch-all is a problem."""
        if not isinstance(raw, list) or not raw:
            found = "is missing" if raw is None else "must be a non-empty list of tables"
            self.add(key, found, f"add one or more [[{key}]] tables, {_RULE_EXAMPLE}")
            return ()
        rules = []
        catch_all: str | None = None
        for i, item in enumerate(raw):
            rule_key = key_of(key, i)
            if catch_all is not None:
                self.add(
                    rule_key,
                    f"never applies: {catch_all} before it has no `when` and takes every record",
                    "move the rule without `when` last, or give it a `when`",
                )
            spec = self.table(item, rule_key, _RULE_EXAMPLE)
            if spec is None:
                continue
            self.unknown_keys(spec, _RULE_KEYS, rule_key)
            kind = self.kind(spec.get("kind"), key_of(rule_key, "kind"))
            when: Predicate = always
            fields: frozenset[str] = frozenset()
            if "when" in spec:
                when = compile_condition(
                    spec["when"], self.problems, key_of(rule_key, "when"), fields=(), open_prefixes=("",)
                )
                fields = condition_fields(spec["when"])
            else:
                catch_all = catch_all or rule_key
            if kind is not None:
                rules.append(ActivityRule(kind, when, fields))
        return tuple(rules)

    def kind(self, raw: object, key: str) -> ActivityKind | None:
        """The activity kind a rule gives."""
        if not isinstance(raw, str):
            self.add(key, "must name an activity kind", f"use one of: {', '.join(_KINDS)}")
            return None
        try:
            return parse_kind(raw)
        except ModelError:
            self.unknown_name(raw, key, "activity kind", _KINDS)
            return None
