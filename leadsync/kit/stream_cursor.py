"""One `Cursor` for several streams merged in (stamp, stream rank, key in stream) order.

A merged read emits every stream's records in (stamp, rank, key) order, so a cursor names the
last record emitted as `stamp` plus `record_id = "<rank>-<stream>:<key>"`. From it, each
stream's own resume point follows: a stream ranked before the cursor's has emitted all its
records at `stamp` (resume strictly after the stamp); the cursor's own stream resumes after
`key`; a stream ranked after it has emitted none at `stamp` (resume at the stamp). Keys are
fixed-width (numbers zero-padded), so `Cursor` ordering equals read order. Streams are
appended, never reordered: the rank is part of every stored cursor.

A bare number (the cursor of a reader that read only some streams, by numeric id) resumes
those `bare_number_streams` after that id and every other stream at the stamp: nothing is
lost, nothing read twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final

__all__ = ["AFTER_ALL", "BEFORE_ALL", "numeric_key", "record_id", "resume_keys"]

BEFORE_ALL: Final = ""
"""A key below every record's key: resume at the stamp, its records included."""
AFTER_ALL: Final = "\U0010ffff"
"""A key above every record's key: resume strictly after the stamp."""
_ID_WIDTH: Final = 20


def numeric_key(number: int | str) -> str:
    """A numeric id as a key that sorts as the number does."""
    return str(int(number)).zfill(_ID_WIDTH)


def record_id(rank: int, stream: str, key: str) -> str:
    """The cursor's `record_id` for the record `key` of the stream ranked `rank`."""
    return f"{rank}-{stream}:{key}"


def resume_keys(
    streams: Sequence[str], cursor_record_id: str, *, bare_number_streams: Collection[str] = ()
) -> dict[str, str]:
    """For each stream (in rank order), the key after which it resumes at the cursor's stamp."""
    if not cursor_record_id:
        return dict.fromkeys(streams, BEFORE_ALL)
    if cursor_record_id.isdigit():
        bare = numeric_key(cursor_record_id)
        return {s: bare if s in bare_number_streams else BEFORE_ALL for s in streams}
    head, _, key = cursor_record_id.partition(":")
    rank_text, _, stream = head.partition("-")
    if not rank_text.isdigit() or stream not in streams:
        raise ValueError(f"activity cursor record_id {cursor_record_id!r} names no known stream")
    at = streams.index(stream)
    return {s: AFTER_ALL if i < at else key if i == at else BEFORE_ALL for i, s in enumerate(streams)}
