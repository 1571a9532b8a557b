"""One person across CRMs: merge their records into one view, and spot what a human changed.

Records are linked by normalised e-mail in the state store; here they become the single
`Person` the definitions are applied to, and a record's stage or owner read from a CRM is
told apart from leadsync's own echo.
"""

from __future__ import annotations

from collections import defaultdict
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


MIRROR_WINDOW_S: Final = 60.0
"""Activities of one kind in two CRMs this close are one activity logged twice."""


def counted_once(activities: Sequence[Activity]) -> tuple[Activity, ...]:
    """The person's activities with those mirrored across CRMs counted once.

    Many companies already copy some activities between their CRMs (a demo request logged in
    both, a connector's copy), and the copies' times differ by seconds: Salesforce keeps whole
    seconds, HubSpot milliseconds, a copy may be stamped when it is made. So activities of one
    kind follow each other in runs whose gaps are at most a minute; a run seen in two CRMs is
    one set of activities, and the CRM that logged the most of it speaks for it. Within one
    CRM, every record counts.
    """
    crms = {activity.crm for activity in activities}
    if len(crms) < 2:  # noqa: PLR2004 - nothing to mirror
        return tuple(activities)
    by_kind: dict[str, list[Activity]] = defaultdict(list)
    for activity in sorted(activities, key=_epoch):
        by_kind[activity.kind.value].append(activity)
    kept: list[Activity] = []
    for items in by_kind.values():
        start = 0
        for end in range(1, len(items) + 1):
            if end == len(items) or items[end].epoch - items[end - 1].epoch > MIRROR_WINDOW_S:
                kept += _speaker(items[start:end])
                start = end
    return tuple(sorted(kept, key=lambda a: (a.occurred_at, a.ref)))


def _epoch(activity: Activity) -> float:
    return activity.epoch


def _speaker(run: list[Activity]) -> list[Activity]:
    """A run of one kind: all of it from one CRM, else the part of the CRM that logged most."""
    if all(activity.crm == run[0].crm for activity in run):
        return run
    by_crm: dict[str, list[Activity]] = defaultdict(list)
    for activity in run:
        by_crm[activity.crm].append(activity)
    return max(by_crm.values(), key=lambda items: (len(items), items[0].crm))


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
