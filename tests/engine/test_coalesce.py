"""Joined pages: the same items and rejections in order, the last cursor, nothing lost to an error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from leadsync.adapter_api import Page, Rejection
from leadsync.engine.coalesce import coalesced
from leadsync.model import Cursor, RecordRef

START = datetime(2026, 11, 1, tzinfo=UTC)


def _page(first: int, size: int, *, rejected: int = 0) -> Page[int]:
    cursor = Cursor(START + timedelta(seconds=first + size), str(first + size))
    refused = tuple(
        Rejection(RecordRef("crm", "events", f"bad-{first}-{i}"), "bad date") for i in range(rejected)
    )
    return Page(tuple(range(first, first + size)), cursor, refused)


def test_pages_are_joined_in_order_up_to_the_size_with_the_last_cursor() -> None:
    pages = [_page(n, 3) for n in range(0, 30, 3)]  # ten pages of three

    joined = list(coalesced(pages, 7))

    assert [len(page.items) for page in joined] == [9, 9, 9, 3]
    assert [item for page in joined for item in page.items] == list(range(30))
    assert [page.cursor for page in joined] == [
        pages[2].cursor,
        pages[5].cursor,
        pages[8].cursor,
        pages[9].cursor,
    ]


def test_rejections_count_towards_the_size_and_are_all_kept() -> None:
    pages = [_page(0, 1, rejected=4), _page(1, 1), _page(2, 1, rejected=1)]

    joined = list(coalesced(pages, 5))

    assert [(len(p.items), len(p.rejected)) for p in joined] == [(1, 4), (2, 1)]


def test_an_empty_last_page_still_moves_the_cursor() -> None:
    pages = [_page(0, 2), _page(2, 0)]

    joined = list(coalesced(pages, 100))

    assert len(joined) == 1
    assert joined[0].items == (0, 1)
    assert joined[0].cursor == pages[1].cursor


def test_no_pages_make_no_page() -> None:
    assert list(coalesced(iter(()), 10)) == []


def test_what_was_joined_before_an_error_is_handed_over_then_the_error_raised() -> None:
    def failing() -> Iterator[Page[int]]:
        yield _page(0, 2)
        yield _page(2, 2)
        raise TimeoutError("the CRM did not answer")

    joined = coalesced(failing(), 100)

    kept = next(joined)
    assert kept.items == (0, 1, 2, 3)
    assert kept.cursor == _page(2, 2).cursor
    with pytest.raises(TimeoutError, match="did not answer"):
        next(joined)


def test_an_error_on_a_page_boundary_hands_over_nothing_more() -> None:
    def failing() -> Iterator[Page[int]]:
        yield _page(0, 2)
        raise TimeoutError("the CRM did not answer")

    joined = coalesced(failing(), 2)

    assert next(joined).items == (0, 1)
    with pytest.raises(TimeoutError):
        next(joined)
