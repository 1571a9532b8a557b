"""What a user sees the engine do across cycles, both sandboxes, the real clients.

Human stage changes win and spread; time alone (decay, dormancy) is picked up by quiet
cycles; dirty records wait in quarantine; dry runs and shadow mode write nothing; `plan`
foretells the next sync; the blast-radius guard holds; rollback restores all but what a
human touched since; `explain` adds up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from leadsync.definitions import Definitions, load_definitions
from leadsync.engine.figures import CrmFigures
from leadsync.engine.reading import Reader
from leadsync.model import RecordRef, SetBy, Stage
from leadsync.store import PersonFile, RunStatus
from tests.engine.conftest import MakePipeline, Pipeline

INTEGRATION_USER = "leadsync.integration@sales.example.com"
LOOSER_MQL = ('min_temperature = "warm"', 'min_temperature = "cold"')  # every fit lead turns mql: many moves
WARMER = ("warm_from = 30", "warm_from = 20")
COUNTRY_POINTS = ('points = 15\nvalues = ["FR"', 'points = 5\nvalues = ["FR"')  # most scores drop by 10


# -- helpers ---------------------------------------------------------------------------------


def _held(pipeline: Pipeline, refs: Iterable[RecordRef]) -> dict[RecordRef, dict[str, object]]:
    """What each CRM holds now in the records' managed fields, read by the real adapters."""
    wanted = sorted(set(refs))
    held: dict[RecordRef, dict[str, object]] = {}
    for connection in pipeline.engine().connections:
        mine = [ref for ref in wanted if ref.crm == connection.name]
        if mine:
            held.update({c.ref: dict(c.values) for c in connection.adapter.read_current(mine)})
    return held


def _files(pipeline: Pipeline) -> list[PersonFile]:
    """Every person the state store knows, with records, activities and remembered values."""
    return pipeline.store.persons.files(pipeline.store.persons.due(None, limit=1_000_000))


def _in_both(pipeline: Pipeline) -> list[PersonFile]:
    return [f for f in _files(pipeline) if {ref.crm for ref in f.records} == {"salesforce", "hubspot"}]


def _all_refs(pipeline: Pipeline) -> list[RecordRef]:
    return sorted(ref for f in _files(pipeline) for ref in f.records)


def _sandbox_records(pipeline: Pipeline) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every person record as the sandboxes store them, raw."""
    salesforce = {name: pipeline.salesforce.store.records(name) for name in ("Lead", "Contact")}
    hubspot = {i: pipeline.hubspot.store.values_of("contacts", i) for i in pipeline.hubspot.store.ids()}
    return salesforce, hubspot


def _write_calls(pipeline: Pipeline) -> int:
    """Write calls the sandboxes answered, by their own call logs."""
    salesforce = sum(
        n
        for key, n in pipeline.salesforce.calls.snapshot().items()
        if key.split()[0] in {"PATCH", "POST", "DELETE"}
    )
    hubspot = sum(
        n
        for key, n in pipeline.hubspot.calls.snapshot().items()
        if key.split()[0] in {"PATCH", "DELETE"} or any(w in key for w in ("update", "create", "archive"))
    )
    return salesforce + hubspot


def _variant(pipeline: Pipeline, tmp_path: Path, *edits: tuple[str, str]) -> Definitions:
    """The pipeline's definitions file with these text edits, loaded as a new version."""
    text = Path(pipeline.definitions.file).read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} is not once in {pipeline.definitions.file}"
        text = text.replace(old, new)
    path = tmp_path / "definitions-variant.toml"
    path.write_text(text, encoding="utf-8")
    definitions = load_definitions(path)
    assert definitions.version != pipeline.definitions.version
    return definitions


def _salesforce_user(pipeline: Pipeline) -> str:
    """The e-mail of an active sales user (not leadsync's integration user)."""
    return next(
        str(user["Email"])
        for user in pipeline.salesforce.store.records("User")
        if user["IsActive"] and str(user["Email"]).lower() != INTEGRATION_USER
    )


def _ref(file: PersonFile, crm: str) -> RecordRef:
    return next(ref for ref in file.records if ref.crm == crm)


# -- 1. human stage changes --------------------------------------------------------------------


def _movable_contacts(pipeline: Pipeline) -> list[PersonFile]:
    """People with a HubSpot contact and a Salesforce Contact (both hold every stage), still open."""
    return [
        f
        for f in _in_both(pipeline)
        if any(ref.object_type == "Contact" for ref in f.records)
        and f.state.stage in (Stage.LEAD, Stage.MQL, Stage.SQL)
    ]


def _assert_human_opportunity(pipeline: Pipeline, file: PersonFile, where: RecordRef) -> None:
    held = _held(pipeline, file.records)
    assert {values["stage"] for values in held.values()} == {"opportunity"}, held
    last = pipeline.store.stage_history.of_person(file.state.id)[-1]
    assert (last.to_stage, last.set_by) == (Stage.OPPORTUNITY, SetBy.HUMAN)
    assert str(where) in last.reason


def test_a_human_stage_change_in_hubspot_reaches_salesforce_and_stays(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=80)
    pipeline.sync()
    file = _movable_contacts(pipeline)[0]
    hubspot, salesforce = _ref(file, "hubspot"), _ref(file, "salesforce")
    pipeline.hubspot.store.update_as_user(hubspot.record_id, lifecyclestage="opportunity")

    report = pipeline.sync()

    assert report.status is RunStatus.SUCCEEDED
    stage_writes = [e for e in pipeline.store.audit.of_run(report.run_id) if e.field == "stage"]
    assert [(e.ref, e.new) for e in stage_writes] == [(salesforce, "opportunity")]
    _assert_human_opportunity(pipeline, file, hubspot)
    assert pipeline.store.persons.states([file.state.id])[file.state.id].stage is Stage.OPPORTUNITY

    for _ in range(2):  # nor a further cycle, nor one after the echo, puts it back
        later = pipeline.sync()
        assert all(e.ref not in file.records for e in pipeline.store.audit.of_run(later.run_id))
    _assert_human_opportunity(pipeline, file, hubspot)


def test_a_human_stage_change_in_salesforce_reaches_hubspot_and_stays(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=80)
    pipeline.sync()
    pipeline.sync()  # the echoes are read: the records are quiet again
    file = _movable_contacts(pipeline)[-1]
    hubspot, salesforce = _ref(file, "hubspot"), _ref(file, "salesforce")
    pipeline.salesforce.store.update_as_user(
        "Contact", salesforce.record_id, _salesforce_user(pipeline), LeadSync_Stage__c="Opportunity"
    )

    report = pipeline.sync()

    assert report.status is RunStatus.SUCCEEDED
    assert report.crms["hubspot"].changed["stage"] == 1
    assert pipeline.hubspot.store.values_of("contacts", hubspot.record_id)["lifecyclestage"] == "opportunity"
    _assert_human_opportunity(pipeline, file, salesforce)
    pipeline.sync()
    pipeline.sync()
    _assert_human_opportunity(pipeline, file, salesforce)


@pytest.mark.parametrize("first", ["salesforce", "hubspot"])
def test_two_humans_moving_one_person_in_two_crms_the_later_edit_wins_whichever_crm_is_stored_first(
    make_pipeline: MakePipeline, first: str
) -> None:
    """The CRMs of a cycle are read side by side and stored in no set order: the outcome must not
    depend on it (both orders are forced here by reading the CRMs one after the other)."""
    pipeline = make_pipeline(people=80)
    pipeline.sync()
    pipeline.sync()
    file = _movable_contacts(pipeline)[-1]
    hubspot, salesforce = _ref(file, "hubspot"), _ref(file, "salesforce")
    pipeline.salesforce.store.update_as_user(
        "Contact", salesforce.record_id, _salesforce_user(pipeline), LeadSync_Stage__c="Opportunity"
    )
    pipeline.clock.advance(minutes=1)
    pipeline.hubspot.store.update_as_user(hubspot.record_id, lifecyclestage="salesqualifiedlead")  # later
    pipeline.clock.advance(minutes=1)

    reader = Reader(pipeline.store, pipeline.clock.now(), lambda *_: None, lambda: False)
    for connection in sorted(pipeline.engine().connections, key=lambda c: c.name != first):
        reader.read(connection, CrmFigures())

    assert pipeline.store.persons.states([file.state.id])[file.state.id].stage is Stage.SQL
    last = pipeline.store.stage_history.of_person(file.state.id)[-1]
    assert (last.to_stage, last.set_by, last.reason) == (Stage.SQL, SetBy.HUMAN, f"set in {hubspot}")


# -- 2. time alone ---------------------------------------------------------------------------


def _last_touch(pipeline: Pipeline, file: PersonFile, as_of: datetime) -> datetime | None:
    """The latest activity up to `as_of` that earned points (a penalty is not a touch)."""
    kinds = pipeline.definitions.default_profile.scoring.kinds
    touches = [
        a.occurred_at
        for a in file.activities
        if a.occurred_at <= as_of and (a.kind not in kinds or kinds[a.kind].points >= 0)
    ]
    return max(touches, default=None)


def test_a_quiet_cycle_months_later_writes_what_decay_and_dormancy_changed(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(people=80)
    pipeline.sync()
    pipeline.sync()  # the echoes
    quiet = pipeline.sync()
    assert quiet.evaluated == 0
    later = pipeline.clock.now() + timedelta(days=130)
    dormant_after = pipeline.definitions.default_profile.scoring.temperature.dormant_after
    assert dormant_after is not None
    due = pipeline.store.persons.count_due(later)
    # warm or hot now, but untouched for longer than dormant_after by then: cold, whatever the score
    cooling = [
        f
        for f in _files(pipeline)
        if {str(v.last_read.get("temperature")) for v in f.values.values()} & {"warm", "hot"}
        and (touch := _last_touch(pipeline, f, pipeline.clock.now())) is not None
        and later - touch > dormant_after
        and not any(a.occurred_at > pipeline.clock.now() for a in f.activities)
    ]
    assert cooling, "the seed should hold warm or hot people last touched over ten days ago"

    report = pipeline.sync(minutes=130 * 24 * 60)

    assert pipeline.clock.now() == later
    assert report.status is RunStatus.SUCCEEDED
    assert sum(f.read for f in report.crms.values()) == 0  # nothing changed in any CRM
    assert 0 < report.evaluated == due < pipeline.store.persons.count()
    audit = pipeline.store.audit.of_run(report.run_id)
    assert {e.field for e in audit} >= {"score", "temperature"}
    held = _held(pipeline, (e.ref for e in audit))
    assert all(held[e.ref][e.field] == e.new for e in audit)
    cooled = {e.ref for e in audit if e.field == "temperature" and e.new == "cold"}
    for file in cooling:
        assert set(file.records) <= cooled, file.state.email
        assert {held[ref]["temperature"] for ref in file.records} == {"cold"}
    echoes = pipeline.sync()  # reads back those writes: nothing more to write
    assert all(f.planned == f.writes == 0 for f in echoes.crms.values())
    assert pipeline.sync().evaluated == 0  # and nobody is due again a minute later


# -- 3. quarantine ----------------------------------------------------------------------------


def test_dirty_records_are_quarantined_and_the_rest_is_written(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=400)

    report = pipeline.sync()

    assert report.status is RunStatus.SUCCEEDED
    quarantined = sum(f.quarantined for f in report.crms.values())
    assert quarantined > 0
    entries = pipeline.store.quarantine.entries()
    assert len(entries) == quarantined
    assert all(entry.reason and entry.excerpt for entry in entries)
    for crm, figures in report.crms.items():
        assert len([e for e in entries if e.ref.crm == crm]) == figures.quarantined
        assert figures.writes == figures.planned > 0, crm
        assert figures.failed == 0, figures.errors
    written = {e.ref for e in pipeline.store.audit.of_run(report.run_id)}
    for entry in entries:
        assert entry.ref not in written
        assert pipeline.store.links.person_of(entry.ref) is None
    pipeline.sync()  # a second cycle keeps them, once each
    assert {e.ref for e in pipeline.store.quarantine.entries()} == {e.ref for e in entries}


def test_a_quarantined_record_fixed_in_its_crm_leaves_quarantine(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=400)
    pipeline.sync()
    entries = pipeline.store.quarantine.entries(crm="salesforce")
    dirty = next(e.ref for e in entries if "mail" in e.reason.lower())
    pipeline.salesforce.store.update_as_user(
        dirty.object_type, dirty.record_id, "alice.martin@example.com", Email="fixed.record@example.com"
    )

    report = pipeline.sync()

    assert pipeline.store.quarantine.get(dirty) is None
    assert pipeline.store.links.person_of(dirty) is not None
    assert report.crms["salesforce"].quarantined == 0
    still = {e.ref for e in pipeline.store.quarantine.entries(crm="salesforce")}
    assert still == {e.ref for e in entries} - {dirty}


# -- 4. dry run and shadow mode ----------------------------------------------------------------


def test_a_dry_run_plans_but_writes_nothing(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(people=80)
    before = _sandbox_records(pipeline)

    report = pipeline.sync(dry_run=True)

    assert report.dry_run
    assert report.status is RunStatus.SUCCEEDED
    for name, figures in report.crms.items():
        assert figures.planned > 0, name
        assert figures.writes == figures.write_calls == 0, name
    assert _write_calls(pipeline) == 0
    assert _sandbox_records(pipeline) == before
    assert pipeline.store.audit.of_run(report.run_id) == []

    real = pipeline.sync()  # a dry run moves no cursor: the real cycle plans the same
    for name, figures in real.crms.items():
        assert figures.read == report.crms[name].read
        assert figures.writes == figures.planned == report.crms[name].planned
        assert figures.changed == report.crms[name].changed


def test_shadow_mode_audits_what_it_would_write_then_writes_it_once_switched_off(
    make_pipeline: MakePipeline,
) -> None:
    pipeline = make_pipeline(people=80, guard={"shadow": True})
    before = _sandbox_records(pipeline)

    shadow = pipeline.sync()

    assert shadow.shadow
    assert all(f.writes == f.write_calls == 0 for f in shadow.crms.values())
    assert _write_calls(pipeline) == 0
    assert _sandbox_records(pipeline) == before
    audited = pipeline.store.audit.of_run(shadow.run_id)
    assert audited
    assert not any(e.applied for e in audited)
    assert len(audited) == sum(sum(f.changed.values()) for f in shadow.crms.values())
    assert pipeline.engine().rollback(shadow.run_id).restored == 0  # nothing was applied

    pipeline.raw["guard"]["shadow"] = False
    report = pipeline.sync()

    assert not report.shadow
    for name, figures in report.crms.items():
        assert figures.writes == figures.planned == shadow.crms[name].planned > 0
    written = pipeline.store.audit.of_run(report.run_id)
    assert all(e.applied for e in written)
    assert {(e.ref, e.field, e.new) for e in written} == {(e.ref, e.field, e.new) for e in audited}
    held = _held(pipeline, (e.ref for e in written))
    assert all(held[e.ref][e.field] == e.new for e in written)


# -- 5, 6. new definitions ---------------------------------------------------------------------


def test_plan_with_new_definitions_counts_what_the_next_sync_writes(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    pipeline = make_pipeline(people=80)
    pipeline.sync()
    new = _variant(pipeline, tmp_path, WARMER, LOOSER_MQL)
    pipeline.clock.advance(minutes=1)  # plan and sync at one instant

    impact = pipeline.engine().plan(new)
    report = pipeline.sync(definitions=new, allow_large_change=True, minutes=0)

    assert sum(impact.records.values()) > 0
    assert impact.stage_moves
    for crm in ("salesforce", "hubspot"):
        figures = report.crms[crm]
        assert dict(impact.fields.get(crm, {})) == dict(figures.changed), crm
        assert impact.records[crm] == figures.planned == figures.writes, crm
    assert sum(impact.stage_moves.values()) == report.stage_changes
    assert pipeline.engine(new).plan().records == {}  # adopted: nothing is left to do


def test_new_definitions_re_evaluate_everyone(make_pipeline: MakePipeline, tmp_path: Path) -> None:
    pipeline = make_pipeline(people=80)
    pipeline.sync()
    pipeline.sync()  # reads the echoes of the first
    quiet = pipeline.sync()
    assert quiet.evaluated < pipeline.store.persons.count()
    new = _variant(pipeline, tmp_path, COUNTRY_POINTS)

    report = pipeline.sync(definitions=new, allow_large_change=True)

    assert report.evaluated == pipeline.store.persons.count()
    assert report.crms["salesforce"].changed["score"] > 0
    assert pipeline.sync(definitions=new).evaluated < pipeline.store.persons.count()


# -- 7. blast radius ---------------------------------------------------------------------------


def test_the_guard_stops_a_mass_change_until_it_is_allowed(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    pipeline = make_pipeline(people=80, guard={"max_changes": 5})
    first = pipeline.sync()
    assert first.blocked == ""  # records leadsync never wrote do not count
    assert first.stage_changes > 5
    assert all(f.writes > 5 for f in first.crms.values())
    new = _variant(pipeline, tmp_path, LOOSER_MQL)
    refs = _all_refs(pipeline)
    held_before, calls_before = _held(pipeline, refs), _write_calls(pipeline)

    blocked = pipeline.sync(definitions=new)

    assert blocked.blocked
    assert "--allow-large-change" in blocked.blocked
    assert blocked.status is RunStatus.PARTIAL
    assert pipeline.store.runs.get(blocked.run_id).status is RunStatus.PARTIAL
    assert pipeline.store.audit.of_run(blocked.run_id) == []
    assert all(f.writes == f.write_calls == 0 for f in blocked.crms.values())
    assert _write_calls(pipeline) == calls_before
    assert _held(pipeline, refs) == held_before

    again = pipeline.sync(definitions=new)
    assert again.blocked  # still held back, cycle after cycle

    allowed = pipeline.sync(definitions=new, allow_large_change=True)

    assert allowed.blocked == ""
    assert allowed.status is RunStatus.SUCCEEDED
    assert allowed.stage_changes > 5
    written = pipeline.store.audit.of_run(allowed.run_id)
    assert sum(1 for e in written if e.field == "stage") > 5
    held = _held(pipeline, (e.ref for e in written))
    assert all(held[e.ref][e.field] == e.new for e in written)


# -- 8. rollback -------------------------------------------------------------------------------


def test_rollback_restores_the_earlier_values_but_not_a_humans_edit(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    pipeline = make_pipeline(people=80)
    first = pipeline.sync()
    first_wrote = {(e.ref, e.field): e.new for e in pipeline.store.audit.of_run(first.run_id)}
    new = _variant(pipeline, tmp_path, COUNTRY_POINTS)
    second = pipeline.sync(definitions=new, allow_large_change=True)
    overwritten = pipeline.store.audit.overwritten_by(second.run_id)
    assert sum(1 for e in overwritten if e.field == "score") > 20
    for entry in overwritten:
        if (entry.ref, entry.field) in first_wrote:
            assert entry.old == first_wrote[entry.ref, entry.field]
    edited = next(e for e in overwritten if e.field == "score" and e.ref.crm == "hubspot")
    human_score = int(str(edited.new)) + 17
    pipeline.hubspot.store.update_as_user(edited.ref.record_id, leadsync_score=str(human_score))
    pipeline.clock.advance(minutes=1)

    report = pipeline.engine(new).rollback(second.run_id)

    assert report.rolled_back == second.run_id
    assert report.failed == []
    assert report.skipped == [  # in HubSpot's own terms: the property and its raw values
        {
            "record": str(edited.ref),
            "field": "leadsync_score",
            "run_wrote": str(edited.new),
            "now": str(human_score),
        }
    ]
    held = _held(pipeline, (e.ref for e in overwritten))
    assert held[edited.ref]["score"] == human_score
    for entry in overwritten:
        if entry is not edited:
            assert held[entry.ref][entry.field] == entry.old, (entry.ref, entry.field)
    run = pipeline.store.runs.get(report.run_id)
    assert run is not None
    assert run.status is RunStatus.SUCCEEDED
    assert run.counts["restored"] == report.restored
    rolled = pipeline.store.audit.of_run(report.run_id)
    assert sorted((e.ref, e.field) for e in rolled) == sorted(
        (e.ref, e.field) for e in overwritten if e is not edited
    )
    assert {e.definitions_version for e in rolled} == {"rollback"}

    # back on the first definitions, only the score the human edited differs from them
    after = pipeline.sync()
    assert [(e.ref, e.field) for e in pipeline.store.audit.of_run(after.run_id)] == [(edited.ref, "score")]


def test_a_rolled_back_stage_move_is_not_written_again_by_the_next_cycle(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    pipeline = make_pipeline(people=80)
    pipeline.sync()
    moved = pipeline.sync(definitions=_variant(pipeline, tmp_path, LOOSER_MQL), allow_large_change=True)
    stages = [e for e in pipeline.store.audit.overwritten_by(moved.run_id) if e.field == "stage"]
    assert len(stages) > 5
    people = pipeline.store.links.people_of(e.ref for e in stages)

    report = pipeline.engine().rollback(moved.run_id)

    assert report.failed == report.skipped == []
    held = _held(pipeline, (e.ref for e in stages))
    assert all(held[e.ref]["stage"] == e.old for e in stages)
    states = pipeline.store.persons.states(sorted(set(people.values())))
    assert all(states[people[e.ref]].stage == e.old for e in stages)
    history = pipeline.store.stage_history.of_person(people[stages[0].ref])
    assert history[-1].to_stage == stages[0].old
    assert report.rolled_back in history[-1].reason

    after = pipeline.sync()  # on the first definitions again: the rollback stands

    assert after.stage_changes == 0
    assert pipeline.store.audit.of_run(after.run_id) == []
    held = _held(pipeline, (e.ref for e in stages))
    assert all(held[e.ref]["stage"] == e.old for e in stages)


# -- 9. explain --------------------------------------------------------------------------------


def test_explain_shows_both_records_the_reasons_that_add_up_and_what_each_crm_holds(
    pipeline: Pipeline,
) -> None:
    pipeline.sync()
    pipeline.sync()
    # A Salesforce Lead holds no opportunity or customer stage (lead conversion sets them).
    people = [f for f in _in_both(pipeline) if f.state.stage not in (Stage.OPPORTUNITY, Stage.CUSTOMER)]
    assert len(people) >= 5
    for file in people[:5]:
        doc = pipeline.engine().explain(file.state.email)

        assert doc is not None
        assert doc["email"] == file.state.email
        assert {r["crm"] for r in doc["records"]} == {"salesforce", "hubspot"}
        assert sorted(r["record"] for r in doc["records"]) == sorted(str(ref) for ref in file.records)
        decision = doc["decision"]
        assert sum(r["points"] for r in doc["reasons"]) == decision["score"]
        assert decision["score"] == decision["fit_score"] + decision["engagement_score"]
        held = _held(pipeline, file.records)
        for record in doc["records"]:
            ref = next(ref for ref in file.records if str(ref) == record["record"])
            assert record["holds"] == held[ref]
            assert record["would_write"] == {}  # synced: every CRM already holds the decision
            assert record["holds"]["stage"] == decision["stage"]
    assert pipeline.engine().explain("nobody.at.all@nowhere.example") is None
