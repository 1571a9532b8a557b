"""The contract's write, auth and schema cases: the fewest calls, refusals kept to their record,
gone records, renewed sessions and the schema check."""

from __future__ import annotations

import itertools
import math
from typing import Final

import pytest

from leadsync.adapter_api import Change, UnmappedFieldError
from leadsync.model import RecordRef
from leadsync.plan import plan_changes
from leadsync.redact import is_secret_key
from leadsync.testing.contract_crm import Contract, case

__all__ = ["WriteCases"]

BAD_CREDENTIAL: Final = "not-a-valid-credential"
_SCORES = itertools.count(11)  # each case writes a score no record holds yet, so every change writes


def _held(crm: Contract, refs: list[RecordRef]) -> dict[RecordRef, object]:
    """The score each record holds now, read back through the adapter."""
    return {c.ref: c.values.get("score") for c in crm.adapter().read_current(refs)}


class WriteCases:
    """Write-back, authentication and the schema check."""

    @case
    def test_check_passes_with_the_sandbox_settings(self, crm: Contract) -> None:
        report = crm.adapter().check()
        assert report.ok, report.problems

    @case
    def test_check_reports_a_bad_credential_as_a_problem_without_echoing_it(self, crm: Contract) -> None:
        secrets = {key: BAD_CREDENTIAL for key in crm.sandbox.settings() if is_secret_key(key)}
        assert secrets, "the sandbox's settings name no credential"
        report = crm.adapter(**secrets).check()
        assert not report.ok
        assert all(BAD_CREDENTIAL not in p.render() for p in report.problems)

    @case
    def test_check_reports_a_mapped_field_missing_from_the_schema(self, crm: Contract) -> None:
        field = crm.score_field()
        with crm.sandbox.field_dropped(field):
            report = crm.adapter().check()
        assert any(field in p.render() for p in report.problems), report.problems
        assert crm.adapter().check().ok

    @case
    def test_clean_batches_take_the_fewest_write_calls_and_an_unchanged_second_apply_none(
        self, crm: Contract
    ) -> None:
        adapter, score = crm.adapter(), next(_SCORES)
        refs = crm.records(adapter.write_batch_size * 5 // 2)
        before = crm.sandbox.write_calls()
        results = list(adapter.apply([Change(ref, {"score": score}) for ref in refs]))
        assert [r.ref for r in results] == refs
        assert all(r.ok for r in results), [r for r in results if not r.ok][:3]
        assert crm.sandbox.write_calls() - before == math.ceil(len(refs) / adapter.write_batch_size)
        current = {c.ref: c.values for c in adapter.read_current(refs)}
        plan = plan_changes({ref: {"score": score} for ref in refs}, current)
        assert plan == []  # our own write read back is an echo
        calls = crm.sandbox.calls.count()
        assert list(crm.adapter().apply(plan)) == []
        assert crm.sandbox.calls.count() == calls

    @case
    def test_an_unmapped_value_is_refused_and_nothing_is_sent(self, crm: Contract) -> None:
        (record,) = crm.records(1)
        calls = crm.sandbox.calls.count()
        with pytest.raises(UnmappedFieldError):
            list(crm.adapter().apply([Change(record, {"favourite_colour": "blue"})]))
        assert crm.sandbox.calls.count() == calls

    @case
    def test_one_record_refused_inside_its_batch_leaves_the_others_written(self, crm: Contract) -> None:
        refs, score = crm.records(15)[10:], next(_SCORES)
        with crm.sandbox.rejecting(refs[2]):
            results = list(crm.adapter().apply([Change(ref, {"score": score}) for ref in refs]))
        assert [r.ok for r in results] == [True, True, False, True, True]
        assert results[2].code, "the refusal carries no code"
        held = _held(crm, refs)
        assert [held[ref] == score for ref in refs] == [True, True, False, True, True]

    @case
    def test_a_batch_refused_whole_is_narrowed_to_its_bad_record(self, crm: Contract) -> None:
        refs, score, bad = crm.records(60)[20:], next(_SCORES), 13
        before = crm.sandbox.write_calls()
        with crm.sandbox.refusing_batches_with(refs[bad]):
            results = list(crm.adapter().apply([Change(ref, {"score": score}) for ref in refs]))
        assert [n for n, r in enumerate(results) if not r.ok] == [bad]
        assert results[bad].code, "the refusal carries no code"
        assert crm.sandbox.write_calls() - before < len(refs), "narrowed one record per call"
        held = _held(crm, refs)
        assert [n for n, ref in enumerate(refs) if held[ref] != score] == [bad]

    @case
    def test_a_write_to_a_deleted_record_answers_gone(self, crm: Contract) -> None:
        (record,) = crm.records(1, last=True)
        crm.sandbox.delete(record)
        (result,) = crm.adapter().apply([Change(record, {"score": next(_SCORES)})])
        assert not result.ok
        assert result.gone, f"{result.code}: {result.message}"

    @case
    def test_an_expired_session_is_renewed_without_a_person(self, crm: Contract) -> None:
        adapter = crm.adapter(crm.sandbox.renewable_settings())
        refs = crm.records(3)
        assert len(list(adapter.read_current(refs))) == len(refs)
        crm.sandbox.expire_auth()
        calls = crm.sandbox.calls.count()
        assert len(list(adapter.read_current(refs))) == len(refs)  # renewed, transparently
        assert crm.sandbox.calls.count() > calls
