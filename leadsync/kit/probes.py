"""`check()`'s probe of optional streams: which ones the CRM refuses to this account, as problems.

Each mapped optional stream's API is asked once (one cheap call, shared by the streams read
through it); a `StreamUnavailable` (tier, scope) becomes a problem at the stream's mapping key,
`activities.<stream>`. A refusal is reported, not raised: each read skips the stream (`optional`).
Any other adapter error is no refusal: the read itself will say what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from leadsync.adapter_api import AdapterError, CrmMapping, Problem, StreamUnavailable

__all__ = ["refusal_problems"]


def refusal_problems(
    mapping: CrmMapping,
    api_of: Mapping[str, str],
    probes: Mapping[str, Callable[[], object]],
    words: Callable[[str, StreamUnavailable], tuple[str, str]],
) -> list[Problem]:
    """A problem for each optional stream (`api_of`: stream -> its API) the mapping reads and its
    API's probe refuses, in `api_of` order; `words` gives its message and fix."""
    answers: dict[str, StreamUnavailable | None] = {}
    problems: list[Problem] = []
    for stream, api in api_of.items():
        if stream not in mapping.activities:
            continue
        if api not in answers:
            answers[api] = _refusal(probes[api])
        refusal = answers[api]
        if refusal is not None:
            message, fix = words(stream, refusal)
            problems.append(Problem(str(mapping.file), f"activities.{stream}", message, fix))
    return problems


def _refusal(probe: Callable[[], object]) -> StreamUnavailable | None:
    try:
        probe()
    except StreamUnavailable as exc:
        return exc
    except AdapterError:
        return None
    return None
