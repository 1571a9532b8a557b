"""End to end: records the integration user or an unlisted queue holds are assigned by the rules;
records a person owns keep their owner (issue 22 §4)."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.salesforce.sandbox.records import INTEGRATION_EMAIL
from leadsync.model import Cursor, OwnerKind, Person, RecordRef, Stage
from tests.engine.conftest import Pipeline

EPOCH = Cursor(datetime(1970, 1, 1, tzinfo=UTC))


def _salesforce_people(pipeline: Pipeline) -> dict[RecordRef, Person]:
    """Every Lead and Contact as the Salesforce sandbox now holds it, read by the real adapter."""
    adapter = next(c.adapter for c in pipeline.engine().connections if c.name == "salesforce")
    return {p.ref: p for page in adapter.changed_people(EPOCH) for p in page.items}


def test_no_sql_keeps_the_integration_user_and_people_keep_their_records(pipeline: Pipeline) -> None:
    adapter = next(c.adapter for c in pipeline.engine().connections if c.name == "salesforce")
    kinds = {o.email: o.kind for o in adapter.owners() if o.active}
    assert kinds[INTEGRATION_EMAIL] is OwnerKind.INTEGRATION  # the user leadsync connects as
    assert OwnerKind.QUEUE in kinds.values()
    before = _salesforce_people(pipeline)

    pipeline.sync()
    after = _salesforce_people(pipeline)

    sqls = {ref: p for ref, p in after.items() if p.stage is Stage.SQL}
    assert sqls
    assert [ref for ref, p in sqls.items() if kinds.get(p.owner_email or "") is not OwnerKind.PERSON] == []
    reassigned = [ref for ref in sqls if before[ref].owner_email == INTEGRATION_EMAIL]
    assert reassigned  # the seeded org has SQLs the integration user held: the rules gave them people
    kept = [ref for ref, p in before.items() if kinds.get(p.owner_email or "") is OwnerKind.PERSON]
    assert kept
    assert [ref for ref in kept if after[ref].owner_email != before[ref].owner_email] == []
