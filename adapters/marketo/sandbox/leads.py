"""The leads store: describe2, leads by id, updateOnly writes, each change logged as an activity."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Final

from werkzeug.wrappers import Request, Response

from . import shapes
from .log import ActivityLog

__all__ = ["CHANGE", "DELETE", "NEW", "LeadsApi", "change_attributes", "lead_fields"]

Row = dict[str, Any]
NEW: Final = 12
CHANGE: Final = 13
DELETE: Final = 37
_MAX_INPUT: Final = 300
_STANDARD: Final = frozenset(
    {"email", "firstName", "lastName", "title", "company", "leadScore", "leadStatus"}
)


def lead_fields() -> list[Row]:
    """The fields describe2 lists: standard ones the mapping reads, and the custom one it writes."""
    f = shapes.lead_field
    return [
        f("id", "Id", "integer", updateable=False), f("email", "Email Address", "email"),
        f("firstName", "First Name", "string"), f("lastName", "Last Name", "string"),
        f("title", "Job Title", "string"), f("company", "Company Name", "string"),
        f("createdAt", "Created At", "datetime", updateable=False),
        f("updatedAt", "Updated At", "datetime", updateable=False), f("leadScore", "Lead Score", "integer"),
        f("leadStatus", "Lead Status", "string", crm=True),
        f("sfdcLeadId", "SFDC Lead ID", "string", updateable=False, crm=True),
        f("sfdcContactId", "SFDC Contact ID", "string", updateable=False, crm=True),
        f("externalSalesPersonId", "External Sales Person Id", "string"),
        f("leadsyncTemperature", "leadsyncTemperature", "string"),
    ]  # fmt: skip


class LeadsApi:
    """Leads by id and their updates; the sandbox's clock stamps every change."""

    leads: dict[int, Row]
    log: ActivityLog
    refused: set[int]
    hidden: set[str]
    crm_managed: set[str]
    lock: threading.Lock

    def stamp(self) -> datetime:
        """The clock's instant to the second, as Marketo stamps a change."""
        raise NotImplementedError

    def describe(self, n: int) -> Response:
        """`GET /rest/v1/leads/describe2.json`."""
        fields = [
            {**f, "crmManaged": f["crmManaged"] or f["name"] in self.crm_managed}
            for f in lead_fields()
            if f["name"] not in self.hidden
        ]
        result = [
            {"name": "API Lead", "searchableFields": [["email"], ["id"], ["sfdcLeadId"]], "fields": fields}
        ]
        return shapes.answer(n, result=result)

    def by_ids(self, n: int, request: Request) -> Response:
        """`GET /rest/v1/leads.json?filterType=id&filterValues=…&fields=…` (≤ 300 values)."""
        if request.args.get("filterType") != "id":
            return shapes.failure(n, "1003", "the sandbox filters leads by id only")
        ids = [int(v) for v in (request.args.get("filterValues") or "").split(",") if v]
        if len(ids) > _MAX_INPUT:
            return shapes.failure(n, "1003", "Too many filterValues (300 at most)")
        names = (request.args.get("fields") or "id,email,updatedAt,createdAt,firstName,lastName").split(",")
        shown = [
            {k: lead.get(k) for k in ("id", *names) if k not in self.hidden}
            for i in ids if (lead := self.leads.get(i)) is not None
        ]  # fmt: skip
        return shapes.answer(n, result=shown)

    def updated(self, n: int, request: Request) -> Response:
        """`POST /rest/v1/leads.json` with `action=updateOnly`, `lookupField=id`: a status per record."""
        body = request.get_json(silent=True) or {}
        if body.get("action") != "updateOnly" or body.get("lookupField") != "id":
            return shapes.failure(n, "1003", "the sandbox takes action=updateOnly, lookupField=id only")
        records = body.get("input") or []
        if len(records) > _MAX_INPUT:
            return shapes.failure(n, "1003", "Too many records (300 at most)")
        return shapes.answer(n, result=[self._update(dict(r)) for r in records])

    def _update(self, record: Row) -> Row:
        lead_id = int(record.pop("id"))
        lead = self.leads.get(lead_id)
        if lead is None:
            return _skipped(lead_id, "1004", "Lead not found")
        known = {f["name"] for f in lead_fields() if f["updateable"] and not f["crmManaged"]}
        known -= self.hidden | self.crm_managed  # a synced field is written in the CRM: unknown here
        if unknown := sorted(set(record) - known):
            return _skipped(lead_id, "1006", f"Field '{unknown[0]}' not found")
        if lead_id in self.refused:
            return _skipped(lead_id, "1003", "Invalid value: the instance's validation refuses it")
        self.change(lead_id, record)
        return {"id": lead_id, "status": "updated"}

    def change(self, lead_id: int, values: Row, at: datetime | None = None) -> None:
        """Set these values, logging a Change Data Value per value changed; the visible `updatedAt`
        moves only for standard fields (`bulk-lead-extract.md`)."""
        lead, at = self.leads[lead_id], at or self.stamp()
        for name, value in values.items():
            if lead.get(name) == value:
                continue
            old, lead[name] = lead.get(name), value
            field = {"id": 0, "name": name, "newValue": value, "oldValue": old}
            self.log.add(lead_id, CHANGE, at, name, change_attributes(lead_id), fields=[field])
            if name in _STANDARD:
                lead["updatedAt"] = shapes.iso(at)


def change_attributes(lead_id: int) -> dict[str, object]:
    """A Change Data Value's attributes as Get Lead Changes shows them (its values are in `fields`)."""
    return {"Reason": "Web service API", "Source": "Web service API", "Lead ID": lead_id}


def _skipped(lead_id: int, code: str, message: str) -> Row:
    return {"id": lead_id, "status": "skipped", "reasons": [{"code": code, "message": message}]}
