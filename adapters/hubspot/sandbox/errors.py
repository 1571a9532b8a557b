"""HubSpot's error bodies, and the exception that carries one out of a handler.

Shapes checked against real responses quoted in public code and issues (api-notes.md,
"HubSpot CRM v3"): `{status, message, correlationId, category, errors?, context?}`, a
property problem as both a JSON list in `message` and an `errors[]` entry, 429 bodies
with `errorType` and `policyName`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AUTH_MESSAGE",
    "BatchError",
    "HubSpotApiError",
    "PropertyProblem",
    "correlation_id",
    "error_body",
    "invalid_input",
    "missing_scopes",
    "not_found",
    "property_problems",
    "rate_limited",
    "tier_refused",
]

AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
    "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
_RATE_LIMIT_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


@dataclass(frozen=True, slots=True)
class PropertyProblem:
    """One rejected property value of a write, in HubSpot's terms (`code` e.g. INVALID_OPTION)."""

    name: str
    code: str
    message: str


class HubSpotApiError(Exception):
    """An answer other than success: the status, HubSpot's JSON body and extra headers."""

    def __init__(
        self, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        self.status, self.body, self.headers = status, dict(body), dict(headers or {})
        super().__init__(f"HTTP {status}: {body.get('message', '')}")


def correlation_id() -> str:
    """A fresh correlation id, as HubSpot puts in every error body."""
    return str(uuid.uuid4())


def error_body(message: str, category: str | None = None, **extra: object) -> dict[str, Any]:
    """`{"status": "error", "message", "correlationId", "category", ...}` in HubSpot's key order."""
    body: dict[str, Any] = {"status": "error", "message": message, "correlationId": correlation_id()}
    body.update(extra)
    if category is not None:
        body["category"] = category
    return body


def invalid_input(message: str, **extra: object) -> HubSpotApiError:
    """A 400 VALIDATION_ERROR."""
    return HubSpotApiError(400, error_body(message, "VALIDATION_ERROR", **extra))


def not_found(message: str, **extra: object) -> HubSpotApiError:
    """A 404 OBJECT_NOT_FOUND."""
    return HubSpotApiError(404, error_body(message, "OBJECT_NOT_FOUND", **extra))


def property_problems(problems: Sequence[PropertyProblem], *, portal_id: int) -> HubSpotApiError:
    """The 400 a write with bad property values gets: nothing of the request is written."""
    listed = [
        {
            "isValid": False,
            "message": p.message,
            "error": p.code,
            "name": p.name,
            "localizedErrorMessage": p.message,
            "portalId": portal_id,
        }
        for p in problems
    ]
    body = error_body(
        "Property values were not valid: " + json.dumps(listed, separators=(",", ":")),
        "VALIDATION_ERROR",
        errors=[
            {"message": p.message, "code": p.code, "context": {"propertyName": [p.name]}} for p in problems
        ],
    )
    return HubSpotApiError(400, body)


def missing_scopes(*scopes: str) -> HubSpotApiError:
    """The 403 for a token without a scope the endpoint needs.

    Shape and texts: a real body quoted in HubSpot/hubspot-api-nodejs issue #268 (2022):
    `{status, message, correlationId, errors[{message, context.requiredScopes}], links.scopes,
    category: MISSING_SCOPES}`.
    """
    body = error_body(
        "This app hasn't been granted all required scopes to make this call. Read more about "
        "required scopes here: https://developers.hubspot.com/scopes.",
        "MISSING_SCOPES",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredScopes": list(scopes)},
            }
        ],
        links={"scopes": "https://developers.hubspot.com/scopes"},
    )
    return HubSpotApiError(403, body)


def tier_refused() -> HubSpotApiError:
    """The 403 the events API gives a portal below Enterprise.

    The message is the one a free portal got from the events API, quoted in PipedreamHQ/pipedream
    issue #11810 (2024; HubSpot's typo kept); the envelope and the `MISSING_SCOPES` category are
    those of `missing_scopes`, which that issue does not show (unverified for this refusal).
    """
    body = error_body(
        "Your app doesn't the have scopes needed to make this call. Do you have access to the "
        "'business-intelligence' scope?  Missing auth details: event-detail-read,web-analytics-api-access",
        "MISSING_SCOPES",
        links={"scopes": "https://developers.hubspot.com/scopes"},
    )
    return HubSpotApiError(403, body)


def rate_limited(policy: str, headers: Mapping[str, str] | None = None) -> HubSpotApiError:
    """A 429 in HubSpot's dialect for a policy (TEN_SECONDLY_ROLLING, SECONDLY or DAILY)."""
    message = _RATE_LIMIT_MESSAGES.get(policy, _RATE_LIMIT_MESSAGES["TEN_SECONDLY_ROLLING"])
    body = {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
    }
    return HubSpotApiError(429, body, headers)


@dataclass(frozen=True, slots=True)
class BatchError:
    """One per-record failure of a batch, reported in a 207 body's `errors[]`."""

    category: str
    message: str
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sub_category: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as HubSpot writes it."""
        entry: dict[str, Any] = {"status": "error", "category": self.category}
        if self.sub_category is not None:
            entry["subCategory"] = self.sub_category
        entry["message"] = self.message
        entry["context"] = {key: list(values) for key, values in self.context.items()}
        return entry
