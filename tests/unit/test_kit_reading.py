"""The kit's reading helpers on plain data: listings followed by token, values found in JSON, stamps as
epoch milliseconds, optional streams that note whether they answered. No CRM, no HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from leadsync.adapter_api import StreamUnavailable
from leadsync.kit import epoch_ms, every_row, from_epoch_ms, iso_ms, json_at, optional, stamp_ms

PAGES = {None: ([1, 2], "b"), "b": ([], "c"), "c": ([3], None)}  # an empty page that goes on


def test_a_listing_is_followed_token_by_token_past_empty_pages_and_asked_lazily() -> None:
    asked: list[str | None] = []

    def page(token: str | None) -> tuple[list[int], str | None]:
        asked.append(token)
        return PAGES[token]

    rows = every_row(page)
    assert asked == []
    assert next(rows) == 1
    assert asked == [None]
    assert list(rows) == [2, 3]
    assert asked == [None, "b", "c"]


def test_an_empty_token_ends_a_listing_as_a_missing_one_does() -> None:
    assert list(every_row(lambda token: ([token or "first"], "" if token is None else None))) == ["first"]


def test_a_value_is_found_at_a_path_of_keys_or_is_none() -> None:
    body = {"paging": {"next": {"after": "394"}}, "results": []}
    assert json_at(body, "paging", "next", "after") == "394"
    assert json_at(body, "paging", "prev", "before") is None
    assert json_at(body, "results", "after") is None  # a list is no object
    assert json_at({"paging": None}, "paging", "next") is None
    assert json_at(body) is body


def test_epoch_milliseconds_are_exact_both_ways() -> None:
    moment = datetime(2026, 11, 23, 12, 0, 0, 592_999, tzinfo=UTC)
    assert epoch_ms(moment) == 1_795_435_200_592  # finer digits dropped, never rounded up
    assert from_epoch_ms(1_795_435_200_592) == moment.replace(microsecond=592_000)
    assert epoch_ms(from_epoch_ms(-1)) == -1
    assert iso_ms(1_795_435_200_592) == "2026-11-23T12:00:00.592Z"
    assert iso_ms(1_795_435_200_000) == "2026-11-23T12:00:00.000Z"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1795435200592", 1_795_435_200_592),
        (1_795_435_200_592, 1_795_435_200_592),
        ("2026-11-23T12:00:00.592Z", 1_795_435_200_592),
        ("2026-11-23T13:00:00.592+01:00", 1_795_435_200_592),
        ("2026-11-23T12:00:00.592", 1_795_435_200_592),  # no offset: UTC
        (datetime(2026, 11, 23, 13, 0, 0, 592_000, tzinfo=timezone(timedelta(hours=1))), 1_795_435_200_592),
    ],
)
def test_a_stamp_is_read_from_iso_text_or_epoch_digits(raw: object, expected: int) -> None:
    assert stamp_ms(raw) == expected


@pytest.mark.parametrize("raw", ["yesterday", None, "", True])
def test_anything_else_is_no_stamp(raw: object) -> None:
    with pytest.raises(ValueError, match="neither ISO 8601 nor epoch milliseconds"):
        stamp_ms(raw)


def test_an_optional_stream_notes_it_answered_with_its_first_row_or_its_end() -> None:
    answered: set[str] = set()
    skipped: dict[str, str] = {}
    rows = optional("toy", "visits", iter([1, 2]), skipped=skipped, reason=str, answered=answered)
    assert answered == set()
    assert next(rows) == 1
    assert answered == {"visits"}
    empty = optional("toy", "forms", iter([]), skipped=skipped, reason=str, answered=answered)
    assert list(empty) == []
    assert answered == {"visits", "forms"}


def test_a_refused_optional_stream_is_skipped_and_not_noted_as_answered() -> None:
    def refused() -> Iterator[int]:
        raise StreamUnavailable("403", code="MISSING_SCOPES", detail="no scope")
        yield 1  # a generator: refused at its first row, as a CRM call is

    answered: set[str] = set()
    skipped: dict[str, str] = {}
    rows = optional("toy", "emails", refused(), skipped=skipped, reason=str, answered=answered)
    assert list(rows) == []
    assert answered == set()
    assert list(skipped) == ["emails"]


def test_read_ahead_asks_the_next_page_while_the_rows_before_it_are_used() -> None:
    second_asked = threading.Event()

    def page(token: str | None) -> tuple[list[int], str | None]:
        if token is None:
            return [1, 2], "b"
        second_asked.set()
        return [3], None

    rows = every_row(page, ahead=True)
    assert next(rows) == 1
    assert second_asked.wait(timeout=10)  # asked before the first page's last row was taken
    assert list(rows) == [2, 3]


def test_read_ahead_raises_a_failed_page_after_the_rows_before_it_and_asks_nothing_after_a_stop() -> None:
    asked: list[str | None] = []

    def page(token: str | None) -> tuple[list[str], str | None]:
        asked.append(token)
        if token == "c":
            raise ValueError("page c refused")
        return [f"row after {token}"], {None: "b", "b": "c"}[token]

    rows = every_row(page, ahead=True)
    assert [next(rows), next(rows)] == ["row after None", "row after b"]
    with pytest.raises(ValueError, match="page c refused"):
        next(rows)
    stopped = every_row(page, ahead=True)
    next(stopped)
    stopped.close()  # waits for the page asked ahead: no call outlives the listing
    assert asked[3:] in ([None], [None, "b"])  # the next page at most, asked in vain
