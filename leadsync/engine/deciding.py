"""From one person's file to what every one of their records should hold, and when to look again."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from leadsync.consent import opted_out
from leadsync.definitions import (
    Decision,
    Definitions,
    Reason,
    ValidOwners,
    evaluate,
    grade_matrix,
    valid_everywhere,
)
from leadsync.identity import counted_once, merged_person
from leadsync.model import Activity, RecordRef
from leadsync.store import DecidedFigures, PersonFile, PersonId, PersonUpdate, StageChange
from leadsync.systems_of_record import SystemsOfRecord

__all__ = ["Decider", "Outcome", "reasons_text"]

_DAILY: Final = timedelta(days=1)
_TOP_REASONS: Final = 5

Writable = Callable[[RecordRef, Mapping[str, object]], dict[str, object]]
"""The values a record can take: mapped in its CRM, switched on, and representable there."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One person's decision, the values each of their records should hold, and their new state.

    `email_opt_out`: some record of theirs says they opted out of all e-mail (`leadsync.consent`);
    alerts and tasks must leave them alone.
    """

    person: PersonId
    decision: Decision | None  # None: no record of theirs could be read yet
    desired: Mapping[RecordRef, Mapping[str, object]]
    update: PersonUpdate
    stage_change: StageChange | None
    email_opt_out: bool = False


class Decider:
    """Applies the definitions to person files as of one instant, carrying round robin along."""

    def __init__(
        self,
        definitions: Definitions,
        *,
        as_of: datetime,
        writable: Writable,
        active_owners: Mapping[str, Collection[str]],
        round_robin: Mapping[str, int],
        systems: SystemsOfRecord | None = None,
    ) -> None:
        self.definitions = definitions
        self.systems = systems or SystemsOfRecord()
        self.as_of = as_of
        self.decay_as_of = as_of.replace(minute=0, second=0, microsecond=0)
        self.round_robin = dict(round_robin)
        self.writable = writable
        self.active_owners = active_owners
        self._explain = False
        self._owners_cache: dict[frozenset[str], ValidOwners | None] = {}

    def wants_reasons(self, names: Collection[str]) -> None:
        """Explain every decision when some CRM stores the reasons."""
        self._explain = "reasons" in names

    def decide(self, file: PersonFile) -> Outcome:
        """The person's decision and desired values; their state is unchanged when nothing was read."""
        state = file.state
        person = merged_person(state, file.records)
        if person is None:
            update = PersonUpdate(
                state.id, state.stage, state.stage_set_by, state.stage_entered_at, state.owner, None
            )
            return Outcome(state.id, None, {}, update, None)
        owners = self._owners_for(file.records)
        before = self.round_robin
        activities = counted_once(
            file.activities, tolerance_s=self.definitions.source.activities.mirror_tolerance_seconds
        )

        def decided(*, explain: bool) -> Decision:
            return evaluate(
                self.definitions,
                person,
                activities,
                as_of=self.as_of,
                round_robin=before,
                active_owners=owners,
                explain=explain,
                decay_as_of=self.decay_as_of,
            )

        # A person never decided before will move: explain at once rather than evaluate twice.
        decision = decided(explain=self._explain or state.stage is None)
        self.round_robin = {**before, **decision.round_robin}
        moved = decision.stage is not state.stage
        entered = self.as_of if moved or state.stage_entered_at is None else state.stage_entered_at
        change = None
        if moved:  # the history keeps why; only movers pay for the explanation
            explained = decision.reasons or decided(explain=True).reasons
            change = StageChange(
                state.id,
                state.stage,
                decision.stage,
                self.as_of,
                decision.stage_set_by,
                _stage_reason(decision, explained),
            )
        values: dict[str, object] = {
            "stage": decision.stage.value,
            "score": decision.score,
            "temperature": decision.temperature.value,
            "grade": decision.grade,
            "engagement_score": decision.engagement_score,
            "grade_matrix": grade_matrix(decision),
            "stage_entered_at": entered,
        }
        if decision.owner is not None:
            values["owner"] = decision.owner
        if self._explain:
            values["reasons"] = reasons_text(decision)
        withdrawn = opted_out(file.records.values())
        if withdrawn:  # only ever true: leadsync never re-grants consent
            values["email_opt_out"] = True
        present = {ref.crm for ref in file.records}
        desired = {ref: self._values_for(ref, values, present) for ref in file.records}
        update = PersonUpdate(
            state.id,
            decision.stage,
            decision.stage_set_by,
            entered,
            decision.owner,
            _next_look(self.definitions, decision, activities, self.as_of),
            DecidedFigures(decision.profile, decision.grade, decision.review),
        )
        return Outcome(
            state.id, decision, {ref: v for ref, v in desired.items() if v}, update, change, withdrawn
        )

    def _values_for(
        self, ref: RecordRef, values: Mapping[str, object], present: Collection[str]
    ) -> dict[str, object]:
        """The values this record takes: neither a field a native sync carries to it from the
        person's record in its system of record, nor an owner who is not valid in its CRM."""
        chosen = self.writable(ref, self.systems.without_carried(values, ref.crm, present))
        active = self.active_owners.get(ref.crm)
        if "owner" in chosen and active is not None and chosen["owner"] not in active:
            del chosen["owner"]
        return chosen

    def _owners_for(self, records: Mapping[RecordRef, object]) -> ValidOwners | None:
        """Owners valid in every CRM the person is in: an owner must exist where it is written."""
        crms = frozenset(ref.crm for ref in records)
        if crms not in self._owners_cache:
            sets = [self.active_owners[crm] for crm in sorted(crms) if crm in self.active_owners]
            self._owners_cache[crms] = valid_everywhere(sets)
        return self._owners_cache[crms]


def _stage_reason(decision: Decision, reasons: tuple[Reason, ...]) -> str:
    return next((r.detail for r in reasons if r.rule == f"stage.{decision.stage}"), "")


def reasons_text(decision: Decision) -> str:
    """The top reasons of a score as one line: "fit.job_level +25; engagement.demo_request +30"."""
    scored = sorted((r for r in decision.reasons if r.points), key=lambda r: (-abs(r.points), r.rule))
    return "; ".join(f"{r.rule} {r.points:+d}" for r in scored[:_TOP_REASONS])


def _next_look(
    definitions: Definitions, decision: Decision, activities: tuple[Activity, ...], as_of: datetime
) -> datetime | None:
    """When time alone could change the decision: decay, dormancy, recycling, trigger windows.

    A person with engagement points is looked at daily (their score decays); the timers of
    the definitions add their exact instants. None: nothing changes until new data arrives.
    """
    past = [a.occurred_at for a in activities if a.occurred_at <= as_of]
    last_touch = max(past, default=None)
    moments: list[datetime] = [a.occurred_at for a in activities if a.occurred_at > as_of]
    if decision.engagement_score:
        moments.append(as_of + _DAILY)
    heat = definitions.profile(decision.profile).scoring.temperature
    recycle = definitions.funnel.recycle
    if last_touch is not None:
        if heat.dormant_after is not None:
            moments.append(last_touch + heat.dormant_after)
        if recycle.after is not None and decision.stage in recycle.from_stages:
            moments.append(last_touch + recycle.after)
    behaviour = heat.hot_on | heat.qualified  # each leaves the temperature's window in time
    moments.extend(a.occurred_at + heat.window for a in activities if a.kind in behaviour)
    for stage in definitions.funnel.stages.values():
        for route in stage.routes:
            if route.triggers:
                moments.extend(
                    a.occurred_at + route.trigger_window for a in activities if a.kind in route.triggers
                )
    future = [moment for moment in moments if moment > as_of]
    return min(future, default=None)
