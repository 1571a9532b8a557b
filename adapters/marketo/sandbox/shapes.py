"""The bodies the Marketo sandbox answers with, in the shapes of Marketo's OpenAPI
(`swagger-mapi.json`: `ResponseOfLead`, `ResponseOfActivity`, `ResponseOfLeadChange`,
`ResponseOfDeletedLead`, `ResponseOfActivityType`, `ResponseOfLeadAttribute2`) and the recorded
bodies tests/recorded/test_marketo_sandbox_shapes.py compares them with.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from werkzeug.wrappers import Response

__all__ = ["ACTIVITY_TYPES", "answer", "failure", "identity", "iso", "lead_field", "request_id"]

Row = dict[str, Any]
# (id, name, primary attribute, attributes): the ids official text confirms (api-notes, Marketo),
# and Change Status in Progression (104) and Merge Leads (32) as subscriptions commonly number them.
ACTIVITY_TYPES: Final = [
    (1, "Visit Webpage", "Webpage ID", ["Webpage URL", "Query Parameters", "Client IP Address"]),
    (2, "Fill Out Form", "Webform ID", ["Webpage ID", "Query Parameters", "Client IP Address"]),
    (7, "Email Delivered", "Mailing ID", ["Campaign Run ID", "Step ID"]),
    (9, "Unsubscribe Email", "Mailing ID", ["Campaign Run ID", "Client IP Address"]),
    (10, "Open Email", "Mailing ID", ["Campaign Run ID", "Device", "Platform"]),
    (11, "Click Email", "Mailing ID", ["Link", "Device", "Platform"]),
    (12, "New Lead", "Lead ID", ["Source Type", "Form Name"]),
    (13, "Change Data Value", "Lead Attribute", ["New Value", "Old Value", "Reason", "Source"]),
    (37, "Delete Lead", "Lead ID", ["Remove from CRM"]),
    (46, "Interesting Moment", "Marketo Asset ID", ["Type", "Description", "Source"]),
    (104, "Change Status in Progression", "Program ID", ["New Status", "Old Status", "Success", "Reason"]),
]


def request_id(n: int) -> str:
    """A request id as Marketo writes them (`e42b#14272d07d78`)."""
    return f"{n % 0xFFFF:x}#{0x14272D07D78 + n:x}"


def answer(n: int, **body: object) -> Response:
    """HTTP 200 with `{requestId, success: true, …}`; `result` left out when it would be empty."""
    if body.get("result") == []:
        body.pop("result")  # an empty page has no `result` (Adobe KB ka-29362, recorded)
    return _json(200, {"requestId": request_id(n), "success": True, **body})


def failure(n: int, code: str, message: str) -> Response:
    """An error as Marketo gives nearly all of them: HTTP 200, `success: false`, a quoted code."""
    return _json(
        200, {"requestId": request_id(n), "success": False, "errors": [{"code": code, "message": message}]}
    )


def identity(token: str, expires_in: int) -> Response:
    """The Identity service's token answer (`authentication.md`)."""
    body = {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": "leadsync@example.com",
    }
    return _json(200, body)


def refused_client() -> Response:
    """The Identity service's answer to a bad client id or secret: HTTP 401."""
    return _json(401, {"error": "unauthorized", "error_description": "Bad client credentials"})


def lead_field(name: str, display: str, data_type: str, *, updateable: bool = True, crm: bool = False) -> Row:
    """One field of describe2 (`LeadAttribute2Field`)."""
    return {
        "name": name, "displayName": display, "dataType": data_type,
        "length": 255 if data_type == "string" else None, "updateable": updateable, "crmManaged": crm,
    }  # fmt: skip


def iso(moment: datetime) -> str:
    """An ISO 8601 instant to the second, `Z` (as activityDate and updatedAt read)."""
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _json(status: int, body: Row) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
