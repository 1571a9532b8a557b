"""Grade, engagement score and the grade matrix are written where a mapping names a field."""

from __future__ import annotations

from pathlib import Path

from leadsync.insights import person_view
from tests.conftest import REPO
from tests.engine.conftest import MakePipeline

OPTIONAL = (
    ('# grade = "LeadSync_Grade__c"', 'grade = "LeadSync_Grade__c"'),
    ('# engagement_score = "LeadSync_Engagement__c"', 'engagement_score = "LeadSync_Engagement__c"'),
    ('# grade_matrix = "LeadSync_Grade_Matrix__c"', 'grade_matrix = "LeadSync_Grade_Matrix__c"'),
)
ROWS = {"hot": "1", "warm": "2", "cold": "3"}


def test_grade_engagement_and_matrix_reach_the_fields_a_mapping_names(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    text = (REPO / "mappings" / "salesforce.toml").read_text(encoding="utf-8")
    for old, new in OPTIONAL:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    mapping = tmp_path / "salesforce.toml"
    mapping.write_text(text, encoding="utf-8")
    pipeline = make_pipeline(60, crm={"salesforce": {"mapping": str(mapping)}})

    first = pipeline.sync()

    leads = [r for r in pipeline.salesforce.store.records("Lead") if r.get("LeadSync_Score__c") is not None]
    assert len(leads) > 10
    engine = pipeline.engine()
    for lead in leads[:20]:
        view = person_view(engine, str(lead["Email"]))
        assert view is not None
        decision = view["decision"]
        written = (
            lead["LeadSync_Grade__c"],
            lead["LeadSync_Engagement__c"],
            lead["LeadSync_Grade_Matrix__c"],
        )
        expected = (
            decision["grade"],
            decision["engagement_score"],
            decision["grade"] + ROWS[decision["temperature"]],
        )
        assert written == expected
    assert first.crms["salesforce"].writes > 0
    assert pipeline.sync().crms["salesforce"].writes == 0  # written once: the echoes match
