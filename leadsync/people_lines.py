"""Parse one person per JSON line (the input of `leadsync evaluate`) into common-model values.

Each line is untrusted: it is validated with pydantic, and a bad line yields a message that
names the key and never echoes more than a short excerpt of the value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, NonNegativeInt, ValidationError

from leadsync.exceptions import ModelError
from leadsync.model import Activity, JobLevel, Person, RecordRef, SetBy, Stage, Temperature, parse_kind

__all__ = ["MAX_LINE", "LineError", "ParsedPerson", "parse_person_line"]

_CRM = "input"
MAX_LINE = 1_000_000  # a person with hundreds of activities takes some kilobytes


class LineError(ValueError):
    """A line of the input that cannot be evaluated, with the reason."""


class _ActivityLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    occurred_at: AwareDatetime
    detail: str = ""


class _Expectation(BaseModel):
    """What a case line expects the definitions to decide (any subset)."""

    model_config = ConfigDict(extra="forbid")
    stage: str | None = None
    temperature: Temperature | None = None
    grade: str | None = None
    profile: str | None = None
    owner: str | None = None
    fit: bool | None = None
    review: bool | None = None


class _PersonLine(BaseModel):
    model_config = ConfigDict(extra="allow")
    quote: str = ""
    expect: _Expectation | None = None
    email: str
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    job_level: JobLevel | None = None
    company: str = ""
    employees: NonNegativeInt | None = None
    industry: str = ""
    country: str = ""
    source: str = ""
    created_at: AwareDatetime | None = None
    stage: str | None = None
    stage_set_by: SetBy | None = None
    owner: str | None = None
    qualification: dict[str, bool] = Field(default_factory=dict)
    activities: list[_ActivityLine] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ParsedPerson:
    """A person read from a line, with their activities."""

    person: Person
    activities: tuple[Activity, ...]
    quote: str = ""  # the sentence a case line encodes
    expect: Mapping[str, object] = field(default_factory=dict)  # what it expects, by Decision field


def parse_person_line(text: str, number: int, stage_named: Callable[[str], Stage | None]) -> ParsedPerson:
    """Parse line `number`; `stage_named` resolves a stage id, label or alias. Raises LineError."""
    if len(text) > MAX_LINE:
        raise LineError(f"longer than {MAX_LINE:,} characters; is it one person per line?")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting past the stack
        raise LineError(f"not valid JSON ({type(exc).__name__})") from None
    if not isinstance(document, dict):
        raise LineError("expected one JSON object per line")
    try:
        line = _PersonLine.model_validate(document)
    except ValidationError as exc:
        raise LineError(_validation_text(exc)) from None
    stage = None if line.stage is None else _stage(line.stage, "stage", stage_named)
    ref = RecordRef(_CRM, "person", str(number))
    try:
        person = Person(
            ref,
            line.email,
            first_name=line.first_name,
            last_name=line.last_name,
            title=line.title,
            job_level=line.job_level,
            company=line.company,
            employees=line.employees,
            industry=line.industry,
            country=line.country,
            source=line.source,
            created_at=line.created_at,
            stage=stage,
            stage_set_by=(line.stage_set_by or SetBy.LEADSYNC) if stage else None,
            owner_email=line.owner,
            qualification=line.qualification,
            attributes=dict(line.model_extra or {}),
        )
        activities = tuple(
            Activity(
                RecordRef(_CRM, "activity", f"{number}.{i}"), ref, parse_kind(a.kind), a.occurred_at, a.detail
            )
            for i, a in enumerate(line.activities)
        )
    except ModelError as exc:
        raise LineError(str(exc)) from None
    return ParsedPerson(person, activities, line.quote, _expected(line.expect, stage_named))


def _stage(name: str, key: str, stage_named: Callable[[str], Stage | None]) -> Stage:
    stage = stage_named(name)
    if stage is None:
        raise LineError(f"{key}: unknown stage {_excerpt(name)}; use a stage id, label or alias")
    return stage


def _expected(expect: _Expectation | None, stage_named: Callable[[str], Stage | None]) -> dict[str, object]:
    """The expectations a line sets, by Decision field; a stage given by label is resolved."""
    if expect is None:
        return {}
    expected = expect.model_dump(exclude_none=True)
    if expect.stage is not None:
        expected["stage"] = _stage(expect.stage, "expect.stage", stage_named)
    return expected


def _validation_text(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part)[:40] for part in error['loc'])}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False)
    )


def _excerpt(value: Any) -> str:  # noqa: ANN401 - any JSON value
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."  # noqa: PLR2004
