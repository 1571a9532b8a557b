"""Activities mirrored across CRMs count once; real ones, however close, count each (Hypothesis).

`counted_once(activities, tolerance_s=T)` groups an activity with at most one activity of each
other CRM, of the same kind, the whole group within T seconds, with equal details (compared
without case and extra white space) where both have one; the earliest of a group stands for it.
The invariants checked here, for any activities and any T:

- one CRM: every activity is kept, as given;
- per kind, max over CRMs of that CRM's count <= kept <= all of them (never merged in a CRM);
- what is kept is a subset of the input, and which it is does not depend on the input's order;
- an activity with nothing of its kind in another CRM within T (with a compatible detail) is kept;
- the dropped activities of each CRM pair one-to-one with kept activities of other CRMs of
  their kind, within T, with compatible details: a copy stands for at most one original;
- with two CRMs and no details, kept = all - a maximum one-to-one matching of the pairs within
  T (checked against brute force);
- n real activities, each copied to any of the other CRMs within T/2 of it (spread more than
  2T apart, or all in one burst of seconds), keep n: wherever the minute and hour fall.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from leadsync.identity import counted_once
from leadsync.model import Activity, ActivityKind, RecordRef

BASE = datetime(2026, 11, 20, tzinfo=UTC)
CRMS = ("hubspot", "marketo", "salesforce")
DEFAULT_S = 120.0
KINDS = (ActivityKind.PAGE_VIEW, ActivityKind.DEMO_REQUEST)
DETAILS = ("", "/pricing", "/careers", "Demo Request")

tolerances = st.sampled_from([1.0, 60.0, DEFAULT_S, 300.0])
hours = st.integers(0, 23)
minutes = st.integers(0, 59)


def _activity(
    crm: str, number: int, at: datetime, kind: ActivityKind = KINDS[0], detail: str = ""
) -> Activity:
    return Activity(RecordRef(crm, "activity", str(number)), RecordRef(crm, "person", "1"), kind, at, detail)


@st.composite
def near_a_boundary(draw: st.DrawFn) -> datetime:
    """An instant within three seconds of a minute's start, which may also be an hour's or a day's."""
    boundary = BASE + timedelta(hours=draw(hours), minutes=draw(minutes))
    return boundary + timedelta(milliseconds=draw(st.integers(-3_000, 3_000)))


def _within(tolerance_s: float) -> st.SearchStrategy[int]:
    """An offset in milliseconds strictly inside (-tolerance, +tolerance)."""
    most = round(tolerance_s * 1_000) - 1
    return st.integers(-most, most)


def _apart(moments: list[datetime], gap: timedelta) -> list[datetime]:
    """These moments in order, leaving out any within `gap` of the one kept before it."""
    kept: list[datetime] = []
    for moment in sorted(moments):
        if not kept or moment - kept[-1] > gap:
            kept.append(moment)
    return kept


def _fits(tolerance_s: float) -> Callable[[Activity, Activity], bool]:
    """Whether two activities could be one logged in two CRMs."""

    def fits(one: Activity, other: Activity) -> bool:
        details = {" ".join(a.detail.split()).casefold() for a in (one, other) if a.detail}
        return (
            one.crm != other.crm
            and one.kind is other.kind
            and abs(one.epoch - other.epoch) <= tolerance_s
            and len(details) <= 1
        )

    return fits


def _matched(
    left: Sequence[Activity], right: Sequence[Activity], fits: Callable[[Activity, Activity], bool]
) -> int:
    """The size of a maximum one-to-one matching of `left` into `right` (Kuhn's augmenting paths)."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j, candidate in enumerate(right):
            if j not in seen and fits(left[i], candidate):
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(left)))


@given(
    near_a_boundary(),
    tolerances,
    st.integers(-999_999, 999_999),
    st.sampled_from(KINDS),
    st.sampled_from(DETAILS),
)
@example(  # the case: about 1.4 s apart across a minute boundary
    datetime(2026, 11, 20, 9, 30, 59, 300_000, tzinfo=UTC), DEFAULT_S, 11_667, ActivityKind.DEMO_REQUEST, ""
)
def test_a_copy_within_the_tolerance_counts_once_whatever_minute_or_hour_it_falls_in(
    at: datetime, tolerance_s: float, millionths: int, kind: ActivityKind, detail: str
) -> None:
    """A copy `millionths` of the tolerance away from the original, either side."""
    offset = timedelta(microseconds=round(tolerance_s * millionths))
    original = _activity("hubspot", 1, at, kind, detail)
    copy = _activity("salesforce", 1, at + offset, kind, detail.upper())

    kept = counted_once([copy, original], tolerance_s=tolerance_s)

    assert kept == (min(original, copy, key=lambda a: a.epoch),)


@given(near_a_boundary(), tolerances, st.integers(1, 600_000), st.booleans())
@example(datetime(2026, 11, 20, 9, 59, 59, 900_000, tzinfo=UTC), DEFAULT_S, 1, True)  # hh:59:59.9
def test_activities_in_two_crms_further_apart_than_the_tolerance_count_each(
    at: datetime, tolerance_s: float, beyond_ms: int, later: bool
) -> None:
    gap = timedelta(seconds=tolerance_s, milliseconds=beyond_ms)
    one = _activity("hubspot", 1, at)
    other = _activity("salesforce", 1, at + gap if later else at - gap)

    assert len(counted_once([one, other], tolerance_s=tolerance_s)) == 2


def test_different_details_never_pair_and_a_missing_one_pairs_with_any() -> None:
    at = datetime(2026, 11, 20, 9, 59, 58, tzinfo=UTC)
    pricing = _activity("hubspot", 1, at, detail="https://acme.example/pricing")
    careers = _activity("salesforce", 1, at + timedelta(seconds=5), detail="https://acme.example/careers")
    blank = _activity("salesforce", 2, at + timedelta(seconds=5))
    demo = _activity("hubspot", 2, at, ActivityKind.DEMO_REQUEST, "Demo  request")
    demo_copy = _activity(
        "salesforce", 3, at + timedelta(seconds=3), ActivityKind.DEMO_REQUEST, "demo request"
    )

    assert counted_once([pricing, careers], tolerance_s=DEFAULT_S) == (pricing, careers)
    assert counted_once([pricing, blank], tolerance_s=DEFAULT_S) == (pricing,)
    assert counted_once([demo, demo_copy], tolerance_s=DEFAULT_S) == (demo,)


def test_one_activity_copied_into_three_crms_counts_once_and_real_repeats_in_one_crm_count() -> None:
    at = datetime(2026, 11, 20, 10, 59, 59, tzinfo=UTC)
    copies = [_activity(crm, 1, at + timedelta(seconds=i * 40)) for i, crm in enumerate(CRMS)]
    views = [
        _activity("hubspot", i, at + timedelta(seconds=i * 50)) for i in range(3)
    ]  # two minutes, three views

    assert counted_once(copies, tolerance_s=DEFAULT_S) == (copies[0],)
    assert counted_once(views, tolerance_s=DEFAULT_S) == tuple(views)
    mirrored = [_activity("salesforce", i, v.occurred_at + timedelta(seconds=1)) for i, v in enumerate(views)]
    assert counted_once([*views, *mirrored], tolerance_s=DEFAULT_S) == tuple(views)  # 3 + 3 copies: 3
    assert len(counted_once([*views, mirrored[1]], tolerance_s=DEFAULT_S)) == 3  # 3 + 1 copy: 3


@given(
    near_a_boundary(),
    st.lists(st.integers(0, 5_000), min_size=1, max_size=12),
    st.data(),
    st.sampled_from([60.0, DEFAULT_S, 300.0]),
)
def test_a_burst_in_one_crm_counts_in_full_mirrored_or_not(
    at: datetime, offsets_ms: list[int], data: st.DataObject, tolerance_s: float
) -> None:
    """Real activities seconds apart in one CRM, any of them copied to the others within seconds."""
    activities: list[Activity] = []
    for number, offset_ms in enumerate(offsets_ms):
        when = at + timedelta(milliseconds=offset_ms)
        activities.append(_activity("hubspot", number, when))
        for crm in data.draw(st.sets(st.sampled_from(CRMS[1:]))):
            jitter = timedelta(milliseconds=data.draw(st.integers(-2_000, 2_000)))
            activities.append(_activity(crm, number, when + jitter))

    assert len(counted_once(activities, tolerance_s=tolerance_s)) == len(offsets_ms)


@given(st.lists(near_a_boundary(), min_size=1, max_size=10), tolerances, st.data())
def test_activities_spread_out_count_once_each_however_many_crms_hold_a_copy(
    moments: list[datetime], tolerance_s: float, data: st.DataObject
) -> None:
    """Real activities more than 2T apart, each in some CRMs within T/2 of when it happened."""
    spread = _apart(moments, timedelta(seconds=2 * tolerance_s))
    activities: list[Activity] = []
    for number, when in enumerate(spread):
        kind = data.draw(st.sampled_from(KINDS))
        detail = data.draw(st.sampled_from(DETAILS))
        for crm in data.draw(st.sets(st.sampled_from(CRMS), min_size=1)):
            jitter = timedelta(milliseconds=data.draw(_within(tolerance_s / 2)))
            shown = data.draw(st.sampled_from([detail, detail.lower(), ""]))
            activities.append(_activity(crm, number, when + jitter, kind, shown))

    kept = counted_once(activities, tolerance_s=tolerance_s)

    assert sorted(int(a.ref.record_id) for a in kept) == list(range(len(spread)))


@given(
    st.lists(st.integers(-600_000, 600_000), max_size=7),
    st.lists(st.integers(-600_000, 600_000), max_size=7),
    st.sampled_from([60.0, DEFAULT_S]),
    hours,
)
def test_two_crms_keep_all_but_a_maximum_one_to_one_matching_of_close_pairs(
    hubspot_ms: list[int], salesforce_ms: list[int], tolerance_s: float, hour: int
) -> None:
    around = BASE + timedelta(hours=hour)  # within ten minutes either side of the hour
    hubspot = [
        _activity("hubspot", i, around + timedelta(milliseconds=ms)) for i, ms in enumerate(hubspot_ms)
    ]
    salesforce = [
        _activity("salesforce", i, around + timedelta(milliseconds=ms)) for i, ms in enumerate(salesforce_ms)
    ]

    kept = counted_once([*hubspot, *salesforce], tolerance_s=tolerance_s)

    paired = _matched(hubspot, salesforce, _fits(tolerance_s))
    assert len(kept) == len(hubspot) + len(salesforce) - paired


activities_anywhere = st.lists(
    st.tuples(
        st.sampled_from(CRMS),
        st.integers(-900_000, 900_000),
        st.sampled_from(KINDS),
        st.sampled_from(DETAILS),
    ),
    max_size=14,
)


@given(
    activities_anywhere,
    st.sampled_from([0.0, 1.0, 60.0, DEFAULT_S, 300.0]),
    hours,
    st.randoms(use_true_random=False),
)
def test_counting_once_never_merges_within_a_crm_and_each_copy_stands_for_one_original(
    raw: list[tuple[str, int, ActivityKind, str]], tolerance_s: float, hour: int, shuffler: random.Random
) -> None:
    around = BASE + timedelta(hours=hour)
    activities = [
        _activity(crm, i, around + timedelta(milliseconds=ms), kind, detail)
        for i, (crm, ms, kind, detail) in enumerate(raw)
    ]
    fits = _fits(tolerance_s)

    kept = counted_once(activities, tolerance_s=tolerance_s)

    shuffled = list(activities)
    shuffler.shuffle(shuffled)
    assert set(counted_once(shuffled, tolerance_s=tolerance_s)) == set(kept)
    assert len(set(kept)) == len(kept)
    assert set(kept) <= set(activities)
    for kind in KINDS:
        per_crm = Counter(a.crm for a in activities if a.kind is kind)
        assert max(per_crm.values(), default=0) <= sum(a.kind is kind for a in kept) <= per_crm.total()
    for activity in activities:
        if not any(fits(activity, other) for other in activities):
            assert activity in kept
    for crm in CRMS:
        dropped = [a for a in activities if a.crm == crm and a not in kept]
        originals = [a for a in kept if a.crm != crm]
        assert _matched(dropped, originals, fits) == len(dropped)
    if len({a.crm for a in activities}) == 1:
        assert kept == tuple(activities)
