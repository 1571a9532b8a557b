"""The bodies the Pipedrive sandbox answers with, each from Pipedrive's v2 OpenAPI spec or a model
of pipedrive/client-nodejs (tests/fixtures/recorded/README.md, "Pipedrive", gives each source)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Final

from werkzeug.wrappers import Response

from leadsync.testing import SeedOwner, SeedPerson

__all__ = [
    "ACTIVITY_TYPES",
    "deal",
    "error",
    "field",
    "hash_key",
    "html_page",
    "lead",
    "leads_page",
    "listed",
    "one",
    "person",
    "recents",
    "rfc3339",
    "user",
]

Row = dict[str, Any]
# The default activity types ("call, meeting, task, deadline, email, lunch": client-nodejs
# v1/models/activity-type.ts icon keys), each with the keys of that model.
ACTIVITY_TYPES: Final = [
    {
        "id": n, "name": key.capitalize(), "icon_key": key, "color": None, "order_nr": n, "key_string": key,
        "active_flag": True, "is_custom_flag": False, "add_time": "2021-01-01 00:00:00",
        "update_time": "2021-01-01 00:00:00",
    }
    for n, key in enumerate(("call", "meeting", "task", "deadline", "email", "lunch"), start=1)
]  # fmt: skip


def hash_key(label: str) -> str:
    """A custom field's 40-character key (Pipedrive's keys are 40 hex digits; ours are derived)."""
    return hashlib.sha1(label.encode(), usedforsecurity=False).hexdigest()


def field(
    code: str, name: str, field_type: str, *, custom: bool = False, options: list[str] | None = None
) -> Row:
    """One person field (client-nodejs v2/models/get-person-fields200-response-data-inner.ts)."""
    return {
        "field_name": name,
        "field_code": code,
        "field_type": field_type,
        "is_custom_field": custom,
        "is_optional_response_field": False,
        "options": [{"id": n, "label": label} for n, label in enumerate(options, start=1)]
        if options
        else None,
        "subfields": None,
    }


def person(key: int, seed: SeedPerson, owner_id: int, custom: Row) -> Row:
    """A person as `GET /api/v2/persons` shows it (the spec's example), stamps kept as datetimes."""
    return {
        "id": key,
        "name": f"{seed.first_name} {seed.last_name}",
        "first_name": seed.first_name,
        "last_name": seed.last_name,
        "owner_id": owner_id,
        "org_id": None,
        "add_time": seed.created_at.replace(microsecond=0),
        "update_time": seed.modified_at.replace(microsecond=0),
        "emails": [{"value": seed.email, "primary": True, "label": "work"}],
        "phones": [{"value": f"+33 1 00 {key // 100:02d} {key % 100:02d}", "primary": True, "label": "work"}],
        "is_deleted": False,
        "visible_to": 3,
        "label_ids": [],
        "picture_id": None,
        "custom_fields": dict(custom),
        # The company has contact sync enabled: these five are "included if contact sync is enabled".
        "notes": None,
        "im": [],
        "birthday": None,
        "job_title": seed.title,
        "postal_address": None,
    }


def deal(key: int, person_id: int, status: str, lost_reason: str | None, at: datetime) -> Row:
    """A deal as `GET /api/v2/deals` shows it (the v2 spec's `getDeals` example), stamps kept as datetimes."""
    return {
        "id": key, "title": f"Deal {key}", "creator_user_id": 1, "owner_id": 1, "value": 1000,
        "person_id": person_id, "org_id": None, "stage_id": 1, "pipeline_id": 1, "currency": "EUR",
        "archive_time": None, "add_time": at, "update_time": at, "stage_change_time": at, "status": status,
        "is_archived": False, "is_deleted": False, "probability": None,
        "lost_reason": lost_reason if status == "lost" else None, "visible_to": 3,
        "close_time": at if status != "open" else None, "won_time": at if status == "won" else None,
        "lost_time": at if status == "lost" else None,
        "local_won_date": at.date().isoformat() if status == "won" else None,
        "local_lost_date": at.date().isoformat() if status == "lost" else None,
        "local_close_date": at.date().isoformat() if status != "open" else None,
        "expected_close_date": None, "label_ids": [], "origin": "API", "origin_id": None, "channel": None,
        "channel_id": None, "acv": None, "arr": None, "mrr": None, "custom_fields": {},
    }  # fmt: skip


def lead(key: str, person_id: int, source_name: str, at: datetime) -> Row:
    """A lead as `GET /v1/leads` lists one (tests/fixtures/recorded/pipedrive/leads_page.json)."""
    return {
        "id": key, "title": f"Lead {key[:8]}", "owner_id": 1, "creator_id": 1, "label_ids": [], "value": None,
        "expected_close_date": None, "person_id": person_id, "organization_id": None, "is_archived": False,
        "source_name": source_name, "origin": "ManuallyCreated", "origin_id": None, "channel": None,
        "channel_id": None,
        "was_seen": False, "next_activity_id": None, "add_time": _v1_ms(at), "update_time": _v1_ms(at),
        "visible_to": "3", "cc_email": f"company+1+lead{key[:8]}@pipedrivemail.com",
    }  # fmt: skip


def leads_page(rows: list[Row], start: int, limit: int, more: bool) -> Response:
    """A `GET /v1/leads` page: v1's `additional_data.pagination` (the recorded body)."""
    pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
    return _json(200, {"success": True, "data": rows, "additional_data": {"pagination": pagination}})


def _v1_ms(moment: datetime) -> str:
    """A lead's stamp: RFC 3339 in UTC to the millisecond, "2024-10-15T09:33:33.213Z" (the recorded body)."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def user(key: int, owner: SeedOwner) -> Row:
    """A user as `GET /v1/users` lists one (client-nodejs v1/models/base-user.ts)."""
    return {
        "id": key, "name": f"{owner.first_name} {owner.last_name}", "default_currency": "EUR",
        "locale": "en_US", "lang": 1, "email": owner.email, "phone": None, "activated": owner.active,
        "last_login": "2021-01-01 00:00:00", "created": "2021-01-01 00:00:00", "modified": None,
        "has_created_company": key == 1, "access": [], "active_flag": owner.active,
        "timezone_name": "Europe/Paris", "timezone_offset": "+01:00", "role_id": 1, "icon_url": None,
        "is_you": key == 1, "is_deleted": False,
    }  # fmt: skip


def recents(rows: list[Row], merged: dict[int, int], since: str, start: int, more: bool) -> Response:
    """A `GET /v1/recents?items=person` page (client-nodejs v1/models/get-recents-response.ts,
    -additional-data.ts; get-fields-response-all-of-additional-data.ts for `pagination`)."""
    last = _v1_time(rows[-1]["update_time"]) if rows else None
    pagination = {"start": start, "limit": len(rows), "more_items_in_collection": more}
    return _json(
        200,
        {
            "success": True,
            "data": [
                {"item": "person", "id": row["id"], "data": _v1_person(row, merged.get(row["id"]))}
                for row in rows
            ],
            "additional_data": {
                "since_timestamp": since,
                "last_timestamp_on_page": last,
                "pagination": pagination,
            },
        },
    )


def _v1_person(row: Row, merge_what_id: int | None) -> Row:
    """A person in v1's shape, as a recents item carries it (`MergePersonItem`: v1/models/person-all-of.ts,
    person-name-count-and-email-info-with-ids-all-of.ts); `merge_what_id` only on a merge's survivor
    (a recorded v1 `merged.organization` webhook shows it on the survivor alone)."""
    shown = {
        "id": row["id"], "company_id": 1, "owner_id": row["owner_id"], "org_id": row["org_id"],
        "name": row["name"], "first_name": row["first_name"], "last_name": row["last_name"],
        "active_flag": not row["is_deleted"], "phone": row["phones"], "email": row["emails"],
        "first_char": row["name"][:1].lower(), "add_time": _v1_time(row["add_time"]),
        "update_time": _v1_time(row["update_time"]), "visible_to": str(row["visible_to"]),
        "label_ids": row["label_ids"], **row["custom_fields"],
    }  # fmt: skip
    return shown if merge_what_id is None else {**shown, "merge_what_id": merge_what_id}


def _v1_time(moment: datetime) -> str:
    """v1's stamp: "YYYY-MM-DD HH:MM:SS" in UTC."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def listed(data: list[Row], next_cursor: str | None = None, *, v1: bool = False) -> Response:
    """A list answer: v2's `additional_data.next_cursor` (null on the last page); v1 lists all at once."""
    extra = {} if v1 else {"additional_data": {"next_cursor": next_cursor}}
    return _json(200, {"success": True, "data": [_shown(row) for row in data], **extra})


def one(row: Row) -> Response:
    """A single record's answer (`PATCH /api/v2/persons/{id}`: the spec's `{success, data}`)."""
    return _json(200, {"success": True, "data": _shown(row)})


def error(status: int, message: str, info: str, headers: Row | None = None) -> Response:
    """An error in the v2 spec's envelope (its 404 example: success, error, error_info, data,
    additional_data)."""
    body = {"success": False, "error": message, "error_info": info, "data": None, "additional_data": None}
    answer = _json(status, body)
    answer.headers.update(headers or {})
    return answer


def html_page() -> Response:
    """Cloudflare's 403 page that API-token traffic gets after sustained 429s (api-notes, Pipedrive)."""
    page = "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head></html>"
    return Response(page, 403, content_type="text/html; charset=UTF-8")


def rfc3339(moment: datetime) -> str:
    """RFC 3339 to the second in UTC: 2021-01-01T00:00:00Z."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _shown(row: Row) -> Row:
    return {key: rfc3339(value) if isinstance(value, datetime) else value for key, value in row.items()}


def _json(status: int, body: Row) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")
