"""`Contract`: one adapter wired to its seeded sandbox, and the reads the contract cases compare.

The engine's view of a read, kept here so the cases can say what a user would see: a record
re-read unchanged at the stamp it was read at is no news (a lookback re-reads recent records
on purpose), and a record is gone when a page lists it so or when the person it was merged
into names it under `attributes["merged_record_ids"]`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, ParamSpec, TypeVar

import pytest

from leadsync.adapter_api import Adapter, AdapterContext, AdapterPlugin, Page
from leadsync.clock import ManualClock
from leadsync.mapping import load_mapping
from leadsync.model import Cursor, Person, RecordRef
from leadsync.testing.controls import ContractSandbox, ControlAbsent

__all__ = ["EPOCH", "Contract", "Read", "case", "first_pages", "refs_of", "unseen"]

EPOCH: Final = Cursor(datetime(2000, 1, 1, tzinfo=UTC))
_MERGED: Final = "merged_record_ids"

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def case(test: Callable[P, R]) -> Callable[P, R]:
    """A contract case: skipped, with the sandbox's reason, when it needs a control its CRM lacks."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return test(*args, **kwargs)
        except ControlAbsent as absent:
            pytest.skip(f"no such control in this CRM: {absent}")

    return run


def unseen(seen: Iterable[Person], again: Iterable[Person]) -> list[Person]:
    """The records of `again` not read before at the same stamp: what a re-read brings that is new."""
    known = {(p.ref, p.updated_at) for p in seen}
    return [p for p in again if (p.ref, p.updated_at) not in known]


@dataclass(frozen=True, slots=True)
class Read:
    """What one incremental read of people returned, page by page."""

    pages: tuple[Page[Person], ...]
    since: Cursor

    @property
    def people(self) -> list[Person]:
        """Every person read, in read order."""
        return [p for page in self.pages for p in page.items]

    @property
    def cursor(self) -> Cursor:
        """Where the next read resumes: the last page's cursor (the start when nothing was read)."""
        return self.pages[-1].cursor if self.pages else self.since

    @property
    def gone(self) -> dict[RecordRef, RecordRef | None]:
        """Records reported deleted (→ None) or merged away (→ the record that now speaks for them)."""
        found: dict[RecordRef, RecordRef | None] = {
            g.ref: g.survivor for page in self.pages for g in page.gone
        }
        for person in self.people:
            merged = person.attributes.get(_MERGED)
            for record_id in merged if isinstance(merged, tuple | list) else ():
                found[RecordRef(person.ref.crm, person.ref.object_type, str(record_id))] = person.ref
        return found


@dataclass
class Contract:
    """An adapter under test and its sandbox, sharing one `ManualClock`; the adapter's waits move it."""

    name: str
    plugin: AdapterPlugin
    sandbox: ContractSandbox
    clock: ManualClock
    options: Mapping[str, Any] = field(default_factory=dict)

    def adapter(self, settings: Mapping[str, Any] | None = None, /, **options: object) -> Adapter:
        """A fresh adapter on the sandbox's settings (or `settings`), the suite's options and `options`."""
        context = AdapterContext(
            name=self.name,
            options={
                **(self.sandbox.settings() if settings is None else settings),
                **self.options,
                **options,
            },
            mapping=load_mapping(self.plugin.default_mapping),
            clock=self.clock,
            sleep=self.clock.sleep,
        )
        return self.plugin.create(context)

    def read(self, since: Cursor = EPOCH, adapter: Adapter | None = None) -> Read:
        """Every page of people changed after `since`."""
        return Read(tuple((adapter or self.adapter()).changed_people(since)), since)

    def records(self, count: int, *, last: bool = False) -> list[RecordRef]:
        """`count` people's records as a read finds them now, in ref order (`last`: from the end)."""
        refs = sorted({p.ref for p in self.read().people})
        if len(refs) < count:
            raise AssertionError(f"the sandbox holds {len(refs)} people; this case needs {count}")
        return refs[-count:] if last else refs[:count]

    def pair(self) -> tuple[RecordRef, RecordRef]:
        """Two records of one object type, from the end of the ref order (for a merge)."""
        refs = sorted({p.ref for p in self.read().people}, reverse=True)
        found = next(((a, b) for a, b in itertools.pairwise(refs) if a.object_type == b.object_type), None)
        if found is None:
            raise AssertionError("the sandbox holds no two people of one object type")
        return found

    def waits(self) -> list[float]:
        """Every wait the adapters asked for so far, in order."""
        return list(self.clock.slept)

    def score_field(self) -> str:
        """The CRM field the plugin's mapping writes `score` to (the cases write scores)."""
        for write in load_mapping(self.plugin.default_mapping).write.values():
            for target in write.targets.get("score", ()):
                return target.field
        raise AssertionError(f"{self.plugin.default_mapping} writes no score: the contract cases need one")


def first_pages(pages: Iterator[Page[T]], count: int) -> list[Page[T]]:
    """The first `count` pages of a read, the read left unfinished."""
    return [page for _, page in zip(range(count), pages, strict=False)]


def refs_of(people: Sequence[Person]) -> list[RecordRef]:
    """The people's records, sorted."""
    return sorted(p.ref for p in people)
