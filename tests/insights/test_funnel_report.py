"""The funnel report on a hand-made store: every figure worked out by hand (see funnel_fixture)."""

from __future__ import annotations

from datetime import datetime

import pytest

from leadsync.definitions import load_definitions
from leadsync.insights import Conversion, FunnelReport, SlaBreach, StageCount, TimeInStage, funnel_report
from leadsync.store import Store
from tests.insights.funnel_fixture import NOW, day

NO_ONE = {"cold": 0, "warm": 0, "hot": 0}
CRMS = ["hubspot", "salesforce"]


def crm_counts(hubspot: int = 0, salesforce: int = 0) -> dict[str, int]:
    return {"hubspot": hubspot, "salesforce": salesforce}


def report(store: Store, since: datetime | None = None) -> FunnelReport:
    return funnel_report(store, load_definitions(), now=NOW, since=since)


def test_stages_count_decided_people_records_per_crm_and_temperatures(filled: Store) -> None:
    found = report(filled)

    assert found.generated_at == NOW
    assert found.since is None
    assert found.crms == CRMS
    # decided stages: mql P2; sql P3 P4 P5 P8; customer P1 P6 P9; disqualified P7.
    # records per CRM hold the stage last read: P4's salesforce record still says mql; P6 has none.
    # temperature: the most recently read record's (P1: hubspot's warm), "none" for P6.
    assert found.stages == [
        StageCount("lead", 0, crm_counts(), NO_ONE),
        StageCount("mql", 1, crm_counts(salesforce=2), {"cold": 0, "warm": 1, "hot": 0}),
        StageCount("sql", 4, crm_counts(hubspot=2, salesforce=1), {"cold": 1, "warm": 0, "hot": 3}),
        StageCount("opportunity", 0, crm_counts(), NO_ONE),
        StageCount(
            "customer", 3, crm_counts(hubspot=2, salesforce=1), {"cold": 0, "warm": 1, "hot": 1, "none": 1}
        ),
        StageCount("nurture", 0, crm_counts(), NO_ONE),
        StageCount("disqualified", 1, crm_counts(hubspot=1), {"cold": 1, "warm": 0, "hot": 0}),
    ]
    assert found.temperatures == {"cold": 2, "warm": 2, "hot": 4, "none": 1}


def test_conversions_time_in_stage_and_sales_cycle_over_all_time(filled: Store) -> None:
    found = report(filled)

    # entered lead: P1 P2 P3 P4 P5 P7 P9, all but P7 went further (P3 straight to sql).
    # entered mql: P1 P2 P4 P5 P9; P2's sql comes after NOW. entered sql: P1 P3 P4 P5 P8 P9.
    assert found.conversions == [
        Conversion("lead", "mql", 7, 6, 6 / 7),
        Conversion("mql", "sql", 5, 4, 4 / 5),
        Conversion("sql", "opportunity", 6, 2, 2 / 6),
        Conversion("opportunity", "customer", 2, 2, 1.0),
    ]
    # lead stays: 24 24 48 24 24 48 24; mql: 48 (P1) 24 (P4) 48 (P5) 24 (P9); P2's is open.
    # sql: 24 (P1) 24 (P9); opportunity: 144 (P1) 24 (P9); no one has left customer or disqualified.
    # p90 interpolates between the closest ranks: opportunity 24 + 0.9 * (144 - 24) = 132.
    assert found.time_in_stage == [
        TimeInStage("lead", 24.0, 48.0, 7),
        TimeInStage("mql", 36.0, 48.0, 4),
        TimeInStage("sql", 24.0, 24.0, 2),
        TimeInStage("opportunity", 84.0, 132.0, 2),
        TimeInStage("customer", None, None, 0),
        TimeInStage("nurture", None, None, 0),
        TimeInStage("disqualified", None, None, 0),
    ]
    # P1: day 1 → day 11; P9: day 0 → day 4; P6 entered as a customer and has no cycle.
    assert (found.sales_cycle_median_days, found.sales_cycle_samples) == (7.0, 2)


def test_sla_breaches_are_sqls_not_followed_up_in_time(filled: Store) -> None:
    found = report(filled)

    # P3: meeting after 30 h; P5: nothing in 48 h (its call was before sql);
    # P4 was called after 5 h; P8 has been sql for 10 h only.
    assert found.sla_hours == 24
    assert found.sla_breaches == [
        SlaBreach("eve@example.com", day(28), 48.0, "sam@example.com"),
        SlaBreach("cat@example.com", day(12), 30.0, None),
    ]


def test_volume_counts_new_people_by_first_source_and_temperature(filled: Store) -> None:
    found = report(filled)

    # P1's earliest record is salesforce's (webinar); P3 has no source; P7 has no creation stamp.
    assert found.volume_by_source == {
        "ads": {"cold": 1, "warm": 0, "hot": 3},
        "referral": {"cold": 1, "warm": 0, "hot": 0},
        "unknown": {"cold": 0, "warm": 0, "hot": 1},
        "webinar": {"cold": 0, "warm": 2, "hot": 0, "none": 1},
    }


def test_since_limits_events_to_the_window_not_the_current_stages(filled: Store) -> None:
    everything = report(filled)
    found = report(filled, since=day(20))

    assert found.since == day(20)
    assert found.stages == everything.stages
    assert found.temperatures == everything.temperatures
    # in the window: P4 and P5 enter lead and mql and go on; P4 P5 P8 enter sql and stay there.
    assert found.conversions == [
        Conversion("lead", "mql", 2, 2, 1.0),
        Conversion("mql", "sql", 2, 2, 1.0),
        Conversion("sql", "opportunity", 3, 0, 0.0),
        Conversion("opportunity", "customer", 0, 0, None),
    ]
    assert [(t.stage, t.median_hours, t.samples) for t in found.time_in_stage[:4]] == [
        ("lead", 24.0, 2),
        ("mql", 36.0, 2),
        ("sql", None, 0),
        ("opportunity", None, 0),
    ]
    assert (found.sales_cycle_median_days, found.sales_cycle_samples) == (None, 0)
    assert [b.email for b in found.sla_breaches] == ["eve@example.com"]
    assert found.volume_by_source == {"ads": {"cold": 1, "warm": 0, "hot": 2}}


def test_json_is_plain_with_iso_datetimes(filled: Store) -> None:
    document = report(filled, since=day(20)).as_json()

    assert document["generated_at"] == "2026-12-01T00:00:00+00:00"
    assert document["since"] == "2026-11-21T00:00:00+00:00"
    assert document["sla_breaches"] == [
        {
            "email": "eve@example.com",
            "became_sql_at": "2026-11-29T00:00:00+00:00",
            "hours_without_follow_up": 48.0,
            "owner": "sam@example.com",
        }
    ]
    assert document["conversions"][3] == {  # type: ignore[index]
        "from_stage": "opportunity",
        "to_stage": "customer",
        "entered": 0,
        "converted": 0,
        "rate": None,
    }


def test_an_empty_store_reports_zeros(store: Store) -> None:
    found = report(store)

    assert found.crms == []
    assert [s.people for s in found.stages] == [0] * 7
    assert found.temperatures == {"cold": 0, "warm": 0, "hot": 0}
    assert [c.rate for c in found.conversions] == [None] * 4
    assert (found.sales_cycle_median_days, found.sla_breaches, found.volume_by_source) == (None, [], {})


def test_naive_datetimes_are_refused(filled: Store) -> None:
    with pytest.raises(ValueError, match="since is naive"):
        funnel_report(filled, load_definitions(), now=NOW, since=datetime(2026, 11, 1))  # noqa: DTZ001
