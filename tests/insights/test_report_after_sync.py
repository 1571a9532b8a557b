"""The funnel report on a store filled by real syncs of both sandboxes agrees with the store."""

from __future__ import annotations

from sqlalchemy import func, select

from leadsync.insights import funnel_report
from leadsync.store.schema import people, record_links, stage_history
from tests.engine.conftest import MakePipeline


def test_report_after_two_cycles_agrees_with_the_store(make_pipeline: MakePipeline) -> None:
    pipeline = make_pipeline(60)  # SQLite: test_funnel_report runs every query on PostgreSQL too
    pipeline.sync()
    pipeline.sync(minutes=60 * 24 * 2)  # two days on: people decay, sqls wait for their follow-up

    found = funnel_report(pipeline.store, pipeline.definitions, now=pipeline.clock.now())

    with pipeline.store.engine.connect() as conn:
        linked = select(record_links.c.person_id).distinct().scalar_subquery()
        with_stage = select(func.count()).where(people.c.id.in_(linked), people.c.stage.is_not(None))
        staged = int(conn.scalar(with_stage) or 0)
        records: dict[str, int] = dict(
            conn.execute(select(record_links.c.crm, func.count()).group_by(record_links.c.crm)).all()
        )
        changes = int(conn.scalar(select(func.count()).select_from(stage_history)) or 0)
        movers = int(conn.scalar(select(func.count(stage_history.c.person_id.distinct()))) or 0)
    assert staged > 0
    assert found.crms == sorted(records) == ["hubspot", "salesforce"]
    assert sum(s.people for s in found.stages) == staged
    for crm, held in records.items():
        assert sum(s.by_crm[crm] for s in found.stages) == held
    assert sum(found.temperatures.values()) == pipeline.store.persons.count()
    assert sum(sum(s.by_temperature.values()) for s in found.stages) == staged
    # every stage change but each person's last one ends a stay
    assert sum(t.samples for t in found.time_in_stage) == changes - movers
    assert all(0 <= c.converted <= c.entered for c in found.conversions)
    assert found.conversions[0].entered > 0
    # all people are new in an all-time report: each counts once under their source
    assert sum(sum(by.values()) for by in found.volume_by_source.values()) == pipeline.store.persons.count()
    assert all(b.hours_without_follow_up > found.sla_hours for b in found.sla_breaches)
    sqls = next(s.people for s in found.stages if s.stage == "sql")
    assert len(found.sla_breaches) <= sqls
