"""One person across CRMs: merge their records into one view, and spot what a human changed.

Records are linked in the state store by the ids of other CRMs' records they hold (their
cross-references: `leadsync.cross_references` says which count), else by normalised e-mail;
here they become the single `Person` the definitions are applied to, and a record's stage or
owner read from a CRM is told apart from leadsync's own echo.
"""

from __future__ import annotations

import heapq
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import msgspec

from leadsync.model import Activity, Person, RecordRef, SetBy, Stage
from leadsync.store import PersonState, RecordValues

__all__ = ["HumanChange", "counted_once", "human_change", "merged_person", "with_human_change"]

_NEWEST: Final = datetime.max.replace(tzinfo=UTC)
_STAGES: Final = frozenset(stage.value for stage in Stage)
_SEED_RANK: Final = (
    Stage.LEAD,
    Stage.NURTURE,
    Stage.MQL,
    Stage.SQL,
    Stage.OPPORTUNITY,
    Stage.CUSTOMER,
    Stage.DISQUALIFIED,
)
_TEXT_FIELDS: Final = ("first_name", "last_name", "title", "company", "industry", "country", "source")


def merged_person(state: PersonState, records: Mapping[RecordRef, Person | None]) -> Person | None:
    """The person's records as one: the oldest record's values first, gaps filled from the others.

    The order is stable: leadsync's own writes touch every record's modification stamp, so
    "latest updated first" would let our echo change the person's fit from cycle to cycle.

    Stage and owner are the person's own (decided by leadsync or set by a human), not any
    one record's; qualification answers hold when any record says so. None when no record
    has been read yet.
    """
    known = sorted(
        (p for p in records.values() if p is not None), key=lambda p: (p.created_at or _NEWEST, p.ref)
    )
    if not known:
        return None
    base = known[0]
    filled: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        if not getattr(base, name):
            filled[name] = next((getattr(p, name) for p in known if getattr(p, name)), "")
    for name in ("employees", "job_level"):
        if getattr(base, name) is None:
            filled[name] = next((getattr(p, name) for p in known if getattr(p, name) is not None), None)
    created = [p.created_at for p in known if p.created_at is not None]
    qualification: dict[str, bool] = {}
    attributes: dict[str, object] = {}
    for p in reversed(known):  # the oldest record's attributes win
        attributes.update(p.attributes)
        for item, answer in p.qualification.items():
            qualification[item] = qualification.get(item, False) or answer
    return msgspec.structs.replace(
        base,
        email=state.email,
        created_at=min(created) if created else None,
        stage=state.stage,
        stage_set_by=state.stage_set_by if state.stage is not None else None,
        owner_email=state.owner,
        qualification=qualification,
        attributes=attributes,
        **filled,
    )


def counted_once(activities: Sequence[Activity], *, tolerance_s: float) -> tuple[Activity, ...]:
    """The person's activities with those mirrored across CRMs counted once.

    Many companies already copy some activities between their CRMs (a demo request logged in
    both, a connector's copy), and the copies' times differ by seconds: Salesforce keeps whole
    seconds, HubSpot milliseconds, a copy may be stamped when it is made. So an activity is
    grouped with at most one activity of each other CRM: of the same kind, at most
    `tolerance_s` apart (the whole group), and with the same detail (subject, URL) where both
    have one. Within one CRM, every record counts. The earliest of a group stands for it.

    The groups are made in one sweep in time order: each activity joins the oldest group
    still open to it (compatible, lacking its CRM, within the tolerance), else starts one.
    With two CRMs and no details to tell activities apart, this is a maximum one-to-one
    matching (the oldest group is the first to close, so taking it never costs a later
    pair). Equal times are taken in the order of their records, so what is kept does not
    depend on the order activities come in. O(n log n) for n activities.
    """
    crms = {activity.crm for activity in activities}
    if len(crms) < 2:  # noqa: PLR2004 - nothing to mirror
        return tuple(activities)
    by_kind: dict[str, list[Activity]] = defaultdict(list)
    for activity in sorted(activities, key=_epoch):
        by_kind[activity.kind.value].append(activity)
    kept: list[Activity] = []
    for items in by_kind.values():
        # Copies are within the tolerance of one another, so only a stretch of activities each
        # within the tolerance of the one before that holds two CRMs needs pairing (few do).
        start, mixed = 0, False
        for end in range(1, len(items) + 1):
            if end < len(items) and items[end].epoch - items[end - 1].epoch <= tolerance_s:
                mixed = mixed or items[end].ref.crm != items[end - 1].ref.crm
                continue
            stretch = items[start:end]
            kept += _Sweep(stretch, tolerance_s).originals() if mixed else stretch
            start, mixed = end, False
    return tuple(sorted(kept, key=lambda a: (a.occurred_at, a.ref)))


def _epoch(activity: Activity) -> float:
    return activity.epoch


def _in_time(activity: Activity) -> tuple[float, RecordRef]:
    return activity.epoch, activity.ref


def _folded(detail: str) -> str:
    """A detail as compared across CRMs: case and runs of white space do not matter."""
    return " ".join(detail.split()).casefold()


class _Group:
    """One activity and its copies in other CRMs: the first of them stands for it."""

    __slots__ = ("crms", "detail", "epoch", "seq")

    def __init__(self, seq: int, crm: str, epoch: float, detail: str) -> None:
        self.seq = seq
        self.epoch = epoch  # the first activity's, the earliest
        self.crms = {crm}
        self.detail = detail


class _Sweep:
    """The groups of one kind's activities, made in time order (see `counted_once`).

    Each CRM has the groups it may still join, oldest first: all of them (for an activity
    without a detail), those without a detail yet, and those with each detail (a heap, since
    a group gains its detail after it was made). Entries are dropped lazily, once a group
    has closed (too old) or holds that CRM already.
    """

    def __init__(self, items: list[Activity], tolerance_s: float) -> None:
        self.items = sorted(items, key=_in_time)  # equal times in the order of their records
        self.tolerance_s = tolerance_s
        self.crms = sorted({activity.ref.crm for activity in items})
        self.any: dict[str, deque[_Group]] = {crm: deque() for crm in self.crms}
        self.blank: dict[str, deque[_Group]] = {crm: deque() for crm in self.crms}
        self.same: dict[tuple[str, str], list[tuple[int, _Group]]] = defaultdict(list)

    def originals(self) -> list[Activity]:
        """The first activity of each group, in time order."""
        kept: list[Activity] = []
        for activity in self.items:
            crm, detail = activity.ref.crm, _folded(activity.detail) if activity.detail else ""
            group = self._open_group(crm, detail, activity.epoch)
            if group is None:
                self._start(_Group(len(kept), crm, activity.epoch, detail))
                kept.append(activity)
            else:
                self._join(group, crm, detail)
        return kept

    def _open_group(self, crm: str, detail: str, epoch: float) -> _Group | None:
        """The oldest group this activity may join, if any."""
        if not detail:
            return self._oldest(self.any[crm], crm, epoch)
        blank = self._oldest(self.blank[crm], crm, epoch, blank=True)
        heap = self.same[crm, detail]
        while heap and not self._open(heap[0][1], crm, epoch):
            heapq.heappop(heap)
        same = heap[0][1] if heap else None
        if blank is None or (same is not None and same.seq < blank.seq):
            return same
        return blank

    def _oldest(self, groups: deque[_Group], crm: str, epoch: float, *, blank: bool = False) -> _Group | None:
        while groups and not self._open(groups[0], crm, epoch, blank=blank):
            groups.popleft()
        return groups[0] if groups else None

    def _open(self, group: _Group, crm: str, epoch: float, *, blank: bool = False) -> bool:
        """Whether the group lacks this CRM, is young enough for an activity at `epoch` and,
        with `blank`, still has no detail (one that gained a detail is in that detail's heap)."""
        young = epoch - group.epoch <= self.tolerance_s
        return young and crm not in group.crms and not (blank and group.detail)

    def _start(self, group: _Group) -> None:
        for crm in self.crms:
            if crm not in group.crms:
                self.any[crm].append(group)
                if group.detail:
                    heapq.heappush(self.same[crm, group.detail], (group.seq, group))
                else:
                    self.blank[crm].append(group)

    def _join(self, group: _Group, crm: str, detail: str) -> None:
        group.crms.add(crm)
        if detail and not group.detail:
            group.detail = detail
            for other in self.crms:
                if other not in group.crms:
                    heapq.heappush(self.same[other, detail], (group.seq, group))


@dataclass(frozen=True, slots=True)
class HumanChange:
    """A stage or owner a human set in one CRM record, to be respected and propagated."""

    ref: RecordRef
    stage: Stage | None = None
    owner: str | None = None


def human_change(
    ref: RecordRef, read: Mapping[str, object], remembered: RecordValues | None, state: PersonState
) -> HumanChange | None:
    """What a human changed in `ref` since leadsync last looked, if anything.

    A value is a human's when it differs from what leadsync last read there (it changed since)
    and from what leadsync last wrote there (it is not our echo). A record leadsync has never
    seen only seeds a person who has no stage or owner yet: a new record's defaults (HubSpot
    sets every new contact's lifecycle stage) must not overrule the agreed stage.
    """
    changed: dict[str, object] = {}
    for name, held in (("stage", state.stage), ("owner", state.owner)):
        value = read.get(name)
        if value is None or value == (held.value if isinstance(held, Stage) else held):
            continue
        if remembered is None:
            if held is None or (name == "stage" and _further(value, state.stage)):
                changed[name] = value
        elif value != remembered.last_read.get(name) and not remembered.is_echo(name, value):
            changed[name] = value
    stage = changed.get("stage")
    if stage is not None and str(stage) not in _STAGES:
        changed.pop("stage")
    if not changed:
        return None
    return HumanChange(
        ref,
        stage=Stage(str(changed["stage"])) if "stage" in changed else None,
        owner=str(changed["owner"]) if "owner" in changed else None,
    )


def _further(value: object, stage: Stage | None) -> bool:
    """Whether a stage read from a record never seen before outranks the person's stage.

    Several CRMs may each hold a stage a human set before leadsync ran; the most decided one
    wins: disqualified, then the furthest funnel stage, then nurture, then lead.
    """
    read = Stage(str(value)) if str(value) in _STAGES else None
    return read is not None and stage is not None and _SEED_RANK.index(read) > _SEED_RANK.index(stage)


def with_human_change(state: PersonState, change: HumanChange, *, at: datetime) -> PersonState:
    """The person's state once a human's change is adopted."""
    stage_changed = change.stage is not None and change.stage is not state.stage
    return PersonState(
        id=state.id,
        email=state.email,
        stage=change.stage if stage_changed else state.stage,
        stage_set_by=SetBy.HUMAN if stage_changed else state.stage_set_by,
        stage_entered_at=at if stage_changed else state.stage_entered_at,
        owner=change.owner or state.owner,
    )
