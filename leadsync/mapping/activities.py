"""Read one CRM object of activities into `Activity` values: ordered rules, first match wins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from leadsync.conditions import Predicate, always
from leadsync.exceptions import ModelError
from leadsync.mapping.crm_values import Getter, getter
from leadsync.mapping.transforms import to_datetime
from leadsync.model import Activity, ActivityKind, RecordRef

__all__ = ["ActivityMapping", "ActivityRule"]


@dataclass(frozen=True, slots=True)
class ActivityRule:
    """One `[[activities.<object>.rules]]` entry: the kind a record gets when `when` holds."""

    kind: ActivityKind
    when: Predicate = always
    fields: frozenset[str] = frozenset()  # the CRM fields `when` tests; none for a catch-all


@dataclass(frozen=True, slots=True)
class ActivityMapping:
    """How records of one CRM object (Task, calls, email_events) become `Activity` values."""

    object_name: str
    person: str
    occurred_at: str
    detail: str | None
    rules: tuple[ActivityRule, ...]
    _occurred_at: Getter = field(init=False, repr=False, compare=False)
    _detail: Getter | None = field(init=False, repr=False, compare=False)
    _dotted: tuple[tuple[str, Getter], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_occurred_at", getter(self.occurred_at))
        object.__setattr__(self, "_detail", getter(self.detail) if self.detail else None)
        dotted = sorted({name for rule in self.rules for name in rule.fields if "." in name})
        object.__setattr__(self, "_dotted", tuple((name, getter(name)) for name in dotted))

    def source_fields(self) -> tuple[str, ...]:
        """The CRM fields this mapping reads (person, stamp, detail, rule fields), sorted."""
        names = {self.person, self.occurred_at, *(name for rule in self.rules for name in rule.fields)}
        if self.detail:
            names.add(self.detail)
        return tuple(sorted(names))

    def to_activity(self, raw: Mapping[str, object], ref: RecordRef, person: RecordRef) -> Activity | None:
        """The activity in `raw`, its kind from the first rule that holds; None when no rule does.

        `person` is the record named by the `person` field, as the adapter resolved it.
        """
        facts = raw
        if self._dotted:  # conditions see `Campaign.Type` even when the CRM nests it
            facts = {**raw, **{name: get(raw) for name, get in self._dotted}}
        for rule in self.rules:
            if rule.when(facts):
                return Activity(ref, person, rule.kind, self._stamp(raw), self._text(raw))
        return None

    def _stamp(self, raw: Mapping[str, object]) -> datetime:
        value = self._occurred_at(raw)
        if value is None or value == "":
            raise ModelError(f"{self._where()}: is empty; an activity needs the time it happened")
        try:
            return to_datetime(value)
        except ModelError as exc:
            raise ModelError(f"{self._where()}: {exc}") from None

    def _where(self) -> str:
        """The stamp's field, for an error (built only then: every activity goes through here)."""
        return f"{self.object_name} field {self.occurred_at!r} (occurred_at)"

    def _text(self, raw: Mapping[str, object]) -> str:
        """The detail as text, without NUL characters: they mean nothing in a subject or a URL,
        and PostgreSQL's text columns refuse them."""
        value = self._detail(raw) if self._detail else None
        if value is None:
            return ""
        text = value if isinstance(value, str) else str(value)
        return text.replace("\x00", "") if "\x00" in text else text
