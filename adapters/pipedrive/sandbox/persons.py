"""The persons endpoints: the v2 list (or by ids) with deal counts, `/v1/recents`, PATCH, person fields.

Deleted persons are left out of lists (the v2 list takes no parameter that shows them) and of
recents (how recents shows a deletion is not documented); `include_fields` deal counts come
back as integer keys named as asked (the spec names no response key).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from werkzeug.wrappers import Request, Response

from . import shapes
from .controls import PipedriveControls
from .paging import BadRequestError, Row, offsets, paged, sort, window

__all__ = ["SCORE", "TEMPERATURE", "PersonsApi", "person_fields"]

# include_fields of GET /api/v2/persons the sandbox answers: each deal status's count. The v2 spec
# names the parameter values but no response key; the key is taken to be the value, an integer, as
# the v1 person model's counts are ("openDealsCount: the count of open deals", client-nodejs).
COUNTS: Final = {"open_deals_count": "open", "won_deals_count": "won", "lost_deals_count": "lost"}
SCORE, TEMPERATURE = "leadsync_score", "leadsync_temperature"
_IDS: Final = 100  # "up to 100 entity ids"
_WRITABLE: Final = {"name", "owner_id", "org_id", "label_ids"}


class PersonsApi(PipedriveControls):
    """Answers the persons endpoints from the company's persons, their deals and its person fields."""

    users: list[Row]  # GET /v1/users

    def listed_persons(self, request: Request) -> Response:
        """`GET /api/v2/persons`: by `ids` (at most 100), or in a window, paged."""
        counts = set(request.args.get("include_fields", "").split(",")) & COUNTS.keys()
        live = [p for p in self.persons.values() if not p["is_deleted"]]
        if ids := request.args.get("ids"):
            wanted = {int(i) for i in ids.split(",") if i.strip().isdigit()}
            if len(wanted) > _IDS:
                raise BadRequestError("ids: at most 100")
            return shapes.listed([self._counted(self._shown(p), counts) for p in live if p["id"] in wanted])
        shown = [self._counted(self._shown(p), counts) for p in window(live, request)]
        return paged(shown, request, sort(request))

    def listed_fields(self, request: Request) -> Response:
        """`GET /api/v2/personFields`: the fields an admin has not deleted, paged."""
        return paged([f for f in self.fields if f["field_code"] not in self.hidden], request, "id")

    def recent_persons(self, request: Request) -> Response:
        """`GET /v1/recents`: persons saved at or after `since_timestamp`, oldest first, paged by `start`
        and `limit`."""
        since_text = request.args.get("since_timestamp", "")
        try:
            since = datetime.strptime(since_text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise BadRequestError("since_timestamp: YYYY-MM-DD HH:MM:SS (UTC)") from None
        if request.args.get("items") != "person":
            raise BadRequestError("the sandbox serves items=person only")
        start, limit = offsets(request)
        rows = sorted(
            (p for p in self.persons.values() if not p["is_deleted"] and p["update_time"] >= since),
            key=lambda p: (p["update_time"], p["id"]),
        )
        page = rows[start : start + limit]
        return shapes.recents(page, self.merged, since_text, start, start + len(page) < len(rows))

    def updated_person(self, request: Request) -> Response:
        """`PATCH /api/v2/persons/{id}`: the values given, each checked, saved at the clock's second."""
        person_id = int(request.path.rsplit("/", 1)[1])
        found = self.persons.get(person_id)
        if found is None or found["is_deleted"]:
            return shapes.error(404, "Person not found", "Please check developers.pipedrive.com")
        if person_id in self.refused:
            raise BadRequestError("The company's validation refuses this change")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequestError("The body must be a JSON object")
        for code, value in (body.get("custom_fields") or {}).items():
            self._check(code, value)
        if "owner_id" in body and body["owner_id"] not in {u["id"] for u in self.users if u["active_flag"]}:
            raise BadRequestError(f"owner_id {body['owner_id']!r} is no active user")
        found["custom_fields"].update(body.pop("custom_fields", {}))
        found.update({k: v for k, v in body.items() if k in _WRITABLE})
        found["update_time"] = self.stamp()  # every save moves the stamp
        return shapes.one(self._shown(found))

    def _counted(self, person: Row, counts: set[str]) -> Row:
        """The person with the deal counts asked for in `include_fields` (v2 spec, `getPersons`)."""
        statuses = [
            d["status"] for d in self.deals.values() if d["person_id"] == person["id"] and not d["is_deleted"]
        ]
        return {**person, **{name: statuses.count(COUNTS[name]) for name in counts}}

    def _check(self, code: str, value: object) -> None:
        field = next((f for f in self.fields if f["field_code"] == code and code not in self.hidden), None)
        if field is None:
            raise BadRequestError(f"There is no person field {code}")
        options = [o["id"] for o in field["options"] or ()]
        if value is not None and options and value not in options:
            raise BadRequestError(f"{value!r} is not an option id of {field['field_name']}")
        if value is not None and field["field_type"] == "double" and not isinstance(value, int | float):
            raise BadRequestError(f"{field['field_name']} takes a number")

    def _shown(self, person: Row) -> Row:
        custom = {k: v for k, v in person["custom_fields"].items() if k not in self.hidden}
        return {**person, "custom_fields": custom}


def person_fields() -> list[Row]:
    """The standard person fields the adapter reads or writes, and the two custom ones it writes."""
    return [
        shapes.field("name", "Name", "varchar"),
        shapes.field("first_name", "First name", "varchar"),
        shapes.field("last_name", "Last name", "varchar"),
        shapes.field("emails", "Email", "varchar"),
        shapes.field("phones", "Phone", "phone"),
        shapes.field("owner_id", "Owner", "user"),
        shapes.field("job_title", "Job title", "varchar"),
        shapes.field("add_time", "Person created", "date"),
        shapes.field("update_time", "Update time", "date"),
        shapes.field(shapes.hash_key(SCORE), SCORE, "double", custom=True),
        shapes.field(
            shapes.hash_key(TEMPERATURE), TEMPERATURE, "enum", custom=True, options=["cold", "warm", "hot"]
        ),
    ]
