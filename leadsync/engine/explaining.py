"""`explain`: everything about one person — records, activities, rules that fired, CRM values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from leadsync.adapter_api import AdapterError
from leadsync.connections import Connection
from leadsync.emails import normalize_email
from leadsync.engine.deciding import Decider
from leadsync.exceptions import ModelError
from leadsync.model import RecordRef
from leadsync.store import PersonFile, Store

__all__ = ["explain"]


def explain(
    store: Store, decider: Decider, connections: Sequence[Connection], email: str
) -> dict[str, Any] | None:
    """The explanation document of the person with this e-mail, or None if unknown (an address
    that is no e-mail included: no one has it).

    What each CRM holds is read live; a CRM that cannot be reached shows what was last read.
    """
    try:
        normalize_email(email)
    except ModelError:
        return None
    file = store.persons.file_by_email(email)
    if file is None:
        return None
    decider.wants_reasons({"reasons"})
    outcome = decider.decide(file)
    decision = outcome.decision
    held = _held_now(file, connections)
    return {
        "email": file.state.email,
        "as_of": decider.as_of.isoformat(),
        "records": [
            {
                "record": str(ref),
                "crm": ref.crm,
                "name": f"{person.first_name} {person.last_name}".strip() if person else "",
                "title": person.title if person else "",
                "company": person.company if person else "",
                "updated_at": _iso(person.updated_at) if person else None,
                "holds": _plain(held.get(ref, {})),
                "would_write": _plain(
                    {k: v for k, v in outcome.desired.get(ref, {}).items() if held.get(ref, {}).get(k) != v}
                ),
            }
            for ref, person in file.records.items()
        ],
        "activities": [
            {"crm": a.crm, "kind": a.kind.value, "occurred_at": a.occurred_at.isoformat(), "detail": a.detail}
            for a in sorted(file.activities, key=lambda a: a.occurred_at, reverse=True)
        ],
        "decision": None
        if decision is None
        else {
            "stage": decision.stage.value,
            "stage_set_by": decision.stage_set_by.value,
            "score": decision.score,
            "fit_score": decision.fit_score,
            "engagement_score": decision.engagement_score,
            "grade": decision.grade,
            "profile": decision.profile,
            "temperature": decision.temperature.value,
            "owner": decision.owner,
            "fit": decision.fit,
            "review": decision.review,
            "job_level": decision.job_level.value if decision.job_level else None,
            "definitions_version": decision.definitions_version,
        },
        "reasons": []
        if decision is None
        else [{"rule": r.rule, "points": r.points, "detail": r.detail} for r in decision.reasons],
        "stage_history": [
            {
                "from": c.from_stage.value if c.from_stage else None,
                "to": c.to_stage.value,
                "at": c.at.isoformat(),
                "set_by": c.set_by.value,
                "reason": c.reason,
            }
            for c in store.stage_history.of_person(file.state.id)
        ],
    }


def _held_now(file: PersonFile, connections: Sequence[Connection]) -> dict[RecordRef, Mapping[str, object]]:
    held: dict[RecordRef, Mapping[str, object]] = {
        ref: values.last_read for ref, values in file.values.items()
    }
    for connection in connections:
        refs = [ref for ref in file.records if ref.crm == connection.name]
        if not refs:
            continue
        try:
            held.update({current.ref: current.values for current in connection.adapter.read_current(refs)})
        except AdapterError:
            continue  # unreachable now: what was read last stands
    return held


def _plain(values: Mapping[str, object]) -> dict[str, object]:
    return {name: _iso(value) if isinstance(value, datetime) else value for name, value in values.items()}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
