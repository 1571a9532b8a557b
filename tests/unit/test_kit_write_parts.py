"""The kit's writes in parts and owner ids, on plain writer functions: no CRM, no HTTP."""

from __future__ import annotations

from collections.abc import Sequence

from leadsync.adapter_api import Change, PropertyWrite, WriteResult
from leadsync.kit import Refused, owner_ids, written_in_parts
from leadsync.model import RecordRef

A, B, C = (RecordRef("toy", "Lead", i) for i in ("1", "2", "3"))


class Recorder:
    """A writer that keeps what it was sent and writes each property, or fails the refs it is told to."""

    def __init__(self, name: str, failing: Sequence[RecordRef] = ()) -> None:
        self.name, self.failing = name, failing
        self.sent: list[Change] = []

    def __call__(self, changes: Sequence[Change]) -> list[WriteResult]:
        self.sent.extend(changes)
        return [
            WriteResult(c.ref, False, f"{self.name.upper()}_FAILED")
            if c.ref in self.failing
            else WriteResult(
                c.ref, True, properties={k: PropertyWrite(None, str(v)) for k, v in c.values.items()}
            )
            for c in changes
        ]


def test_each_part_goes_to_its_writer_and_each_change_gets_one_joined_result() -> None:
    own, rest = Recorder("own"), Recorder("rest", failing=[C])
    changes = [
        Change(A, {"opt_out": True, "score": 7}, {"opt_out": False, "score": 5}),
        Change(B, {"score": 9}),
        Change(C, {"opt_out": True, "score": 1}),
        Change(A, {}, properties={"optout_flag": "true"}),
    ]
    results = written_in_parts(changes, values=("opt_out",), properties=("optout_flag",), own=own, rest=rest)
    assert own.sent == [
        Change(A, {"opt_out": True}, {"opt_out": False}),
        Change(C, {"opt_out": True}),
        Change(A, {}, properties={"optout_flag": "true"}),
    ]
    assert rest.sent == [
        Change(A, {"score": 7}, {"score": 5}),
        Change(B, {"score": 9}),
        Change(C, {"score": 1}),
    ]
    assert [(r.ref, r.ok, r.code, sorted(r.properties)) for r in results] == [
        (A, True, "", ["opt_out", "score"]),
        (B, True, "", ["score"]),
        (C, False, "REST_FAILED", []),
        (A, True, "", []),
    ]


def test_a_failed_own_part_is_the_changes_result_before_a_failed_rest() -> None:
    own, rest = Recorder("own", failing=[A]), Recorder("rest", failing=[A])
    (result,) = written_in_parts(
        [Change(A, {"opt_out": True, "score": 7})], values=("opt_out",), properties=(), own=own, rest=rest
    )
    assert result.code == "OWN_FAILED"
    assert len(rest.sent) == 1  # the rest is written all the same


def test_without_an_own_part_every_change_goes_to_the_rest_as_it_is() -> None:
    own, rest = Recorder("own"), Recorder("rest")
    changes = [Change(A, {"score": 7}), Change(B, {})]
    results = written_in_parts(changes, values=("opt_out",), properties=(), own=own, rest=rest)
    assert [r.ok for r in results] == [True, True]
    assert (own.sent, rest.sent) == ([], changes)


def test_an_owners_email_becomes_its_id_or_a_refusal_and_other_values_pass_through() -> None:
    ids = {"ann@example.com": "501"}
    convert = owner_ids(ids.get, lambda value: f"text {value}", noun="toy user")
    assert convert("owner", "ann@example.com") == "501"
    assert convert("owner", "") == "text "  # no owner: cleared as any value
    assert convert("score", 7) == "text 7"
    assert convert("owner", "bob@example.com") == Refused(
        "UNKNOWN_OWNER", "no active toy user has the e-mail bob@example.com"
    )
