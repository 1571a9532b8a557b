"""Rows of the last few pages read, handed out once each, the latest read of a record first."""

from __future__ import annotations

from leadsync.kit import RecentRows


def test_rows_are_handed_out_once_and_unknown_ids_are_left_to_the_crm() -> None:
    rows: RecentRows[str] = RecentRows()
    rows.keep({"1": "a", "2": "b"})
    rows.keep({"3": "c"})

    assert rows.take(["1", "3", "9"]) == {"1": "a", "3": "c"}
    assert rows.take(["1", "2"]) == {"2": "b"}


def test_a_record_read_twice_gives_its_latest_row() -> None:
    rows: RecentRows[str] = RecentRows()
    rows.keep({"1": "old"})
    rows.keep({"1": "new"})

    assert rows.take(["1"]) == {"1": "new"}


def test_only_the_last_pages_are_kept_and_clear_forgets_them() -> None:
    rows: RecentRows[int] = RecentRows(pages=2)
    for n in range(3):
        rows.keep({str(n): n})

    assert rows.take(["0", "1"]) == {"1": 1}  # the first page was dropped
    rows.clear()
    assert rows.take(["2"]) == {}
