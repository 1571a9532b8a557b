"""The kit's keyset reading and refusal probes on plain in-memory queries: no CRM, no HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadsync.adapter_api import CrmMapping, StreamUnavailable, TransientError
from leadsync.kit import Answer, Keyset, by_key, first_rows, merged_pages, refusal_problems, stamp_groups
from leadsync.mapping import load_mapping

Row = tuple[int, int, str]  # (stamp, id, record)


class Search:
    """A search API over `rows`: sorted by stamp with ties in `tie_rank` order, `size` rows a page,
    each query paged by token; with `empties`, an empty page (with a token) before every page and
    after the last, as HubSpot may answer."""

    def __init__(
        self, rows: list[Row], size: int, tie_rank: Callable[[Row], float], *, empties: bool = False
    ) -> None:
        self.rows, self.size, self.tie_rank, self.empties = rows, size, tie_rank, empties
        self.asked: list[tuple[str, int, int]] = []  # (query, stamp, key)

    def after(self, stamp: int, key: int, until: int) -> Answer[Row]:
        self.asked.append(("after", stamp, key))
        matched = [r for r in self.rows if (r[0], r[1]) > (stamp, key) and r[0] <= until]
        return self._answer(sorted(matched, key=lambda r: (r[0], self.tie_rank(r))))

    def at(self, stamp: int, key: int) -> Answer[Row]:
        self.asked.append(("at", stamp, key))
        matched = [r for r in self.rows if r[0] == stamp and r[1] > key]
        return self._answer(sorted(matched, key=lambda r: r[1]))

    def _answer(self, ordered: list[Row]) -> Answer[Row]:
        pages = [ordered[i : i + self.size] for i in range(0, len(ordered), self.size)]
        if self.empties:
            pages = [*(p for page in pages for p in ([], page)), []]

        def page(token: int | None) -> tuple[list[Row], int | None]:
            at = token or 0
            rows = pages[at] if at < len(pages) else []
            return rows, at + 1 if at + 1 < len(pages) else None

        return first_rows(page)


def descending(row: Row) -> float:
    """Ties in descending key order: in no order a reader could rely on."""
    return -row[1]


def read(search: Search, point: tuple[int, int], until: int) -> list[list[Row]]:
    return list(Keyset(search.after, search.at, lowest=0).pages(*point, until))


def rows_of(*places: tuple[int, int]) -> list[Row]:
    return [(stamp, key, f"record {key}") for stamp, key in places]


# -- first_rows and by_key -------------------------------------------------------------------------


def test_first_rows_follows_empty_pages_until_one_has_rows_and_says_whether_more_follow() -> None:
    pages: dict[str | None, tuple[list[int], str | None]] = {
        None: ([], "a"),
        "a": ([], "b"),
        "b": ([1, 2], "c"),
        "c": ([3], None),
    }
    asked: list[str | None] = []

    def page(token: str | None) -> tuple[list[int], str | None]:
        asked.append(token)
        return pages[token]

    assert first_rows(page) == Answer([1, 2], more=True)
    assert asked == [None, "a", "b"]  # the page after the first with rows is not asked for


def test_first_rows_of_a_query_whose_pages_are_all_empty_is_empty_and_ends_it() -> None:
    pages: dict[int | None, tuple[list[int], int | None]] = {None: ([], 1), 1: ([], None)}
    assert first_rows(pages.__getitem__) == Answer([], more=False)


def test_by_key_asks_again_after_each_pages_last_key_until_no_more_follow() -> None:
    ids = [5, 3, 9, 1, 7, 2]
    asked: list[int] = []

    def above(last: int) -> Answer[int]:
        asked.append(last)
        matched = [i for i in ids if i > last]
        return Answer(matched[:2], more=len(matched) > 2)

    assert list(by_key(above, 0, lambda i: i)) == [[3, 5], [7, 9]]
    assert asked == [0, 5]


# -- Keyset ------------------------------------------------------------------------------------------


def test_the_last_stamp_of_a_full_page_is_held_back_and_asked_for_again() -> None:
    rows = rows_of((1, 10), (2, 30), (2, 20), (3, 5))
    search = Search(rows, 3, descending)
    assert read(search, (0, 0), 9) == [rows_of((1, 10)), rows_of((2, 20), (2, 30), (3, 5))]
    assert search.asked == [("after", 0, 0), ("after", 1, 10)]


def test_a_page_of_one_stamp_goes_on_inside_the_stamp_by_key() -> None:
    rows = rows_of(*((4, key) for key in range(1, 8)), (5, 1))
    search = Search(rows, 3, descending)
    pages = read(search, (0, 0), 9)
    assert pages == [rows[0:3], rows[3:6], rows[6:7], rows[7:8]]
    assert search.asked == [("after", 0, 0), ("at", 4, 0), ("at", 4, 3), ("at", 4, 6), ("after", 4, 7)]


def test_a_resumed_stamp_goes_on_after_the_cursors_key() -> None:
    rows = rows_of(*((4, key) for key in range(1, 6)))
    search = Search(rows, 2, descending)
    assert [row for page in read(search, (4, 2), 9) for row in page] == rows[2:]
    assert search.asked[:2] == [("after", 4, 2), ("at", 4, 2)]


def test_nothing_is_asked_for_past_the_cap_and_a_cursor_past_it_reads_nothing() -> None:
    search = Search(rows_of((1, 1), (8, 2)), 5, descending)
    assert read(search, (0, 0), 5) == [rows_of((1, 1))]
    assert read(search, (6, 0), 5) == []
    assert search.asked == [("after", 0, 0)]


places = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 10_000)), unique_by=lambda p: p[1], max_size=60)
windows = st.tuples(st.integers(-1, 6), st.integers(0, 10_000), st.integers(0, 6))  # point (stamp, key), cap


@given(places, st.integers(1, 7), st.randoms(use_true_random=False), st.booleans(), windows)
def test_paging_at_any_size_over_equal_stamps_loses_and_repeats_nothing(
    places: list[tuple[int, int]], size: int, ties: Random, empties: bool, window: tuple[int, int, int]
) -> None:
    rows = rows_of(*places)
    tie_rank = {row: ties.random() for row in rows}
    point, until = (window[0], window[1]), window[2]
    pages = read(Search(rows, size, tie_rank.__getitem__, empties=empties), point, until)
    assert all(pages)
    expected = sorted(r for r in rows if (r[0], r[1]) > point and r[0] <= until)
    assert [row for page in pages for row in page] == expected


# -- merged_pages ----------------------------------------------------------------------------------


def place_of(row: Row) -> tuple[int, int]:
    return row[0], row[1]


def test_a_second_feed_joins_the_pages_up_to_their_last_rows_and_its_rest_follows_in_pages() -> None:
    pages = [rows_of((1, 1), (2, 5)), rows_of((4, 2))]
    deletions = rows_of((0, 7), (2, 4), (2, 6), (3, 3), (5, 8), (6, 9), (7, 1))
    merged = list(merged_pages(pages, deletions, place_of, size=2))
    assert merged == [
        rows_of((0, 7), (1, 1), (2, 4), (2, 5)),
        rows_of((2, 6), (3, 3), (4, 2)),
        rows_of((5, 8), (6, 9)),
        rows_of((7, 1)),
    ]


def test_the_second_feed_is_read_before_the_first_page_and_no_page_waits_for_more() -> None:
    asked: list[str] = []

    def feed(name: str, rows: list[Row]) -> Iterator[Row]:
        asked.append(name)
        yield from rows

    def pages() -> Iterator[list[Row]]:
        asked.append("page 1")
        yield rows_of((1, 1))
        asked.append("page 2")
        yield rows_of((3, 1))

    merged = merged_pages(pages(), feed("deletions", rows_of((2, 2))), place_of, size=10)
    assert next(merged) == rows_of((1, 1))
    assert asked == ["deletions", "page 1"]  # the first page came without asking for the second


@given(places, places, st.integers(1, 7), st.integers(1, 5))
def test_merged_pages_give_both_feeds_in_order_once_each(
    first: list[tuple[int, int]], second: list[tuple[int, int]], page_size: int, size: int
) -> None:
    one = sorted(rows_of(*first))
    other = sorted(set(rows_of(*second)) - set(one))
    pages = [one[i : i + page_size] for i in range(0, len(one), page_size)]
    merged = list(merged_pages(pages, other, place_of, size=size))
    assert [row for page in merged for row in page] == sorted([*one, *other])
    assert all(merged)


# -- stamp_groups ----------------------------------------------------------------------------------


def test_each_stamps_rows_are_held_until_the_next_stamp_shows_then_given_in_key_order() -> None:
    shown: list[Row] = []

    def stream() -> Iterator[Row]:
        for row in rows_of((1, 3), (1, 1), (1, 2), (2, 9), (2, 4), (3, 1)):
            shown.append(row)
            yield row

    def place(row: Row) -> tuple[int, int]:
        return row[0], row[1]

    groups = stamp_groups(stream(), place)
    assert next(groups) == rows_of((1, 1), (1, 2), (1, 3))
    assert shown[-1] == (2, 9, "record 9")  # the first stamp was whole only once the next showed
    assert list(groups) == [rows_of((2, 4), (2, 9)), rows_of((3, 1))]


# -- refusal_problems ------------------------------------------------------------------------------

MAPPING = '[people.Lead.fields]\nemail = "Email"\n' + "".join(
    f'[activities.{stream}]\nperson = "who"\noccurred_at = "when"\n'
    f'[[activities.{stream}.rules]]\nkind = "email_open"\n'
    for stream in ("page_views", "form_submissions", "email_events")
)
API_OF = {
    "page_views": "events",
    "form_submissions": "events",
    "email_events": "email",
    "participations": "marketing",  # not mapped: its API is never asked
}


@pytest.fixture
def mapping(tmp_path: Path) -> CrmMapping:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return load_mapping(path)


def refused(code: str) -> Callable[[], object]:
    def probe() -> object:
        raise StreamUnavailable("403", code=code, detail="the portal may not")

    return probe


def words(stream: str, refusal: StreamUnavailable) -> tuple[str, str]:
    return f"{stream} refused: {refusal.code}", f"remove [activities.{stream}]"


def test_each_mapped_stream_an_api_refuses_is_a_problem_at_its_mapping_key(mapping: CrmMapping) -> None:
    calls: list[str] = []

    def counted(api: str, probe: Callable[[], object]) -> Callable[[], object]:
        def call() -> object:
            calls.append(api)
            return probe()

        return call

    probes = {
        "events": counted("events", refused("MISSING_SCOPES")),
        "email": counted("email", lambda: None),
        "marketing": counted("marketing", refused("MISSING_SCOPES")),
    }
    problems = refusal_problems(mapping, API_OF, probes, words)
    assert [(p.file, p.path, p.message, p.hint) for p in problems] == [
        (str(mapping.file), f"activities.{s}", f"{s} refused: MISSING_SCOPES", f"remove [activities.{s}]")
        for s in ("page_views", "form_submissions")
    ]
    assert calls == ["events", "email"]  # one call per API; an API no mapped stream reads costs none


def test_an_adapter_error_other_than_a_refusal_is_no_problem(mapping: CrmMapping) -> None:
    def failing() -> object:
        raise TransientError("503")

    assert refusal_problems(mapping, API_OF, {"events": failing, "email": failing}, words) == []
