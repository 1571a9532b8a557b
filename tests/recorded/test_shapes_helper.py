"""The shape comparison itself: what it reports, and what it lets through."""

from __future__ import annotations

import re

import pytest

from tests.recorded.shapes import RECORDED, assert_same_shape, recorded, shape_diff


def test_alike_shapes_have_no_difference():
    assert shape_diff({"a": 1, "b": [{"c": "x"}]}, {"a": 2, "b": [{"c": "y"}, {"c": "z"}]}) == []


def test_missing_extra_and_retyped_keys_are_each_named():
    differences = shape_diff({"a": 1, "b": "x", "c": True}, {"a": 1.5, "c": True, "d": []})
    assert differences == [
        "$.a: recorded integer, sandbox number",
        "$.b: missing from the sandbox answer (recorded string)",
        "$.d: in the sandbox answer (array), not in the recording",
    ]


def test_list_elements_match_the_closest_recorded_shape():
    success, failure = {"id": "1", "success": True}, {"success": False, "errors": [{"statusCode": "X"}]}
    assert shape_diff([success, failure], [failure, success, success]) == []
    assert shape_diff([success, failure], [{"success": "no"}]) == [
        "$[].id: missing from the sandbox answer (recorded string)",
        "$[].success: recorded boolean, sandbox string",
    ]


def test_an_empty_list_cannot_stand_for_a_recorded_one():
    assert shape_diff({"r": [1]}, {"r": []}) == [
        "$.r: empty in the sandbox answer, so nothing was compared (recorded 1)"
    ]


def test_null_recorded_matches_anything_but_null_answered_does_not():
    assert shape_diff({"a": None}, {"a": {"b": 1}}) == []
    assert shape_diff({"a": "x"}, {"a": None}) == ["$.a: recorded string, sandbox null"]


def test_maps_compare_value_types_only_and_ignore_skips_a_subtree():
    assert shape_diff({"p": {"email": "x"}}, {"p": {"phone": "1", "fax": None}}, maps={"$.p"}) == []
    assert shape_diff({"p": {"email": "x"}}, {"p": {"n": 1}}, maps={"$.p"}) == [
        "$.p.n: recorded values are null or string, sandbox integer"
    ]
    assert shape_diff({"a": {"b": 1}, "url": "u"}, {"a": {"b": "x"}}, ignore={"$.a", "$.url"}) == []


def test_the_failure_message_names_the_recording_and_every_difference():
    with pytest.raises(AssertionError, match=r"(?s)salesforce/error_403_request_limit.json.*errorCode"):
        assert_same_shape("salesforce/error_403_request_limit.json", [{"message": "m"}])


def test_every_recorded_body_is_listed_in_the_provenance_readme():
    readme = (RECORDED / "README.md").read_text(encoding="utf-8")
    # Each CRM's section is headed "## Name (`folder/`)" and runs to the next heading.
    sections = dict(re.findall(r"^## [^\n]*\(`(\w+)/`\)\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL))
    files = sorted(RECORDED.rglob("*.json"))
    assert {p.parent.name for p in files} <= sections.keys(), "a folder of bodies has no section"
    assert files, "no recorded bodies found"
    unlisted = [
        f"{p.parent.name}/{p.name}" for p in files if f"| `{p.name}` |" not in sections[p.parent.name]
    ]
    assert unlisted == []
    assert all(recorded(f"{p.parent.name}/{p.name}") is not None for p in files)
