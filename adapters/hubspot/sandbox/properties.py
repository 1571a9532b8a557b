"""The property definitions the sandbox knows, as `/crm/v3/properties/{objectType}` describes them.

Option values and their order are HubSpot's defaults (api-notes.md: lifecyclestage,
hs_lead_status); `leadsync_*` are the custom properties leadsync's mapping writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = [
    "CONTACT_PROPERTIES",
    "LIFECYCLE_STAGES",
    "OBJECT_PROPERTIES",
    "PropertyDef",
    "property_json",
]

LIFECYCLE_STAGES: tuple[str, ...] = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
    "evangelist", "other",
)  # fmt: skip
_LIFECYCLE_LABELS = (
    "Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity", "Customer",
    "Evangelist", "Other",
)  # fmt: skip
_LEAD_STATUSES = (
    ("NEW", "New"), ("OPEN", "Open"), ("IN_PROGRESS", "In Progress"), ("OPEN_DEAL", "Open Deal"),
    ("UNQUALIFIED", "Unqualified"), ("ATTEMPTED_TO_CONTACT", "Attempted to Contact"),
    ("CONNECTED", "Connected"), ("BAD_TIMING", "Bad Timing"),
)  # fmt: skip
_SOURCES = (
    ("ORGANIC_SEARCH", "Organic Search"), ("PAID_SEARCH", "Paid Search"),
    ("EMAIL_MARKETING", "Email Marketing"), ("SOCIAL_MEDIA", "Organic Social"),
    ("REFERRALS", "Referrals"), ("OTHER_CAMPAIGNS", "Other Campaigns"),
    ("DIRECT_TRAFFIC", "Direct Traffic"), ("OFFLINE", "Offline Sources"), ("PAID_SOCIAL", "Paid Social"),
)  # fmt: skip
EMPLOYEE_RANGES: tuple[str, ...] = ("1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+")
_BOOL_OPTIONS = (("true", "Yes"), ("false", "No"))
_MEETING_OUTCOMES = ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")


@dataclass(frozen=True, slots=True)
class PropertyDef:
    """One property: its type (string, number, datetime, enumeration, bool) and what may be written."""

    name: str
    label: str
    type: str
    field_type: str
    group: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label), in display order
    read_only: bool = False
    calculated: bool = False
    hubspot_defined: bool = True
    external_options: bool = False  # options come from elsewhere (owners), not from `options`

    @property
    def option_values(self) -> tuple[str, ...]:
        """The values a write may set, in display order."""
        return tuple(value for value, _ in self.options)


def property_json(definition: PropertyDef, *, created_at: str) -> dict[str, Any]:
    """The property as the properties API returns it."""
    return {
        "updatedAt": created_at,
        "createdAt": created_at,
        "name": definition.name,
        "label": definition.label,
        "type": definition.type,
        "fieldType": definition.field_type,
        "description": "",
        "groupName": definition.group,
        "options": [
            {"label": label, "value": value, "displayOrder": order, "hidden": False}
            for order, (value, label) in enumerate(definition.options)
        ],
        "displayOrder": -1,
        "calculated": definition.calculated,
        "externalOptions": definition.external_options,
        "hasUniqueValue": definition.name in ("email", "hs_object_id"),
        "hidden": False,
        "hubspotDefined": definition.hubspot_defined,
        "modificationMetadata": {
            "archivable": not definition.hubspot_defined,
            "readOnlyDefinition": definition.hubspot_defined,
            "readOnlyValue": definition.read_only,
        },
        "formField": not definition.read_only,
        "dataSensitivity": "non_sensitive",  # as recorded: tests/fixtures/recorded/hubspot/
        "archived": False,
    }


def _text(name: str, label: str, group: str = "contactinformation", field_type: str = "text") -> PropertyDef:
    return PropertyDef(name, label, "string", field_type, group)


def _stamp(name: str, label: str, group: str, *, read_only: bool = False) -> PropertyDef:
    return PropertyDef(name, label, "datetime", "date", group, read_only=read_only)


def _pick(
    name: str,
    label: str,
    options: Iterable[tuple[str, str]],
    group: str,
    *,
    field_type: str = "select",
    read_only: bool = False,
    hubspot_defined: bool = True,
    external_options: bool = False,
) -> PropertyDef:
    return PropertyDef(
        name,
        label,
        "enumeration",
        field_type,
        group,
        tuple(options),
        read_only=read_only,
        hubspot_defined=hubspot_defined,
        external_options=external_options,
    )


def _flag(name: str, label: str) -> PropertyDef:
    return PropertyDef(
        name, label, "bool", "booleancheckbox", "leadsync", _BOOL_OPTIONS, hubspot_defined=False
    )


def _custom(name: str, label: str, kind: str, field_type: str) -> PropertyDef:
    """One of leadsync's own contact properties."""
    return PropertyDef(name, label, kind, field_type, "leadsync", hubspot_defined=False)


def _fixed(name: str, label: str, kind: str, field_type: str, *, calculated: bool = False) -> PropertyDef:
    """A contact property only HubSpot sets."""
    return PropertyDef(
        name, label, kind, field_type, "contactinformation", read_only=True, calculated=calculated
    )


def _states(name: str, label: str, group: str, *values: str) -> PropertyDef:
    """An enumeration of upper-case values, labelled in words (NO_SHOW → No Show)."""
    return _pick(name, label, ((v, v.replace("_", " ").title()) for v in values), group)


def _analytics(name: str, label: str, kind: str, group: str) -> PropertyDef:
    """A contact analytics property: every tier has it, only HubSpot sets it (docs/hubspot-tiers.md)."""
    field_type = {"number": "number", "datetime": "date", "string": "text"}[kind]
    return PropertyDef(name, label, kind, field_type, group, read_only=True, calculated=True)


_ANALYTICS = (
    ("hs_analytics_num_page_views", "Number of Pageviews", "number", "analyticsinformation"),
    ("hs_analytics_num_visits", "Number of Sessions", "number", "analyticsinformation"),
    ("hs_analytics_last_visit_timestamp", "Time of Last Session", "datetime", "analyticsinformation"),
    ("hs_analytics_last_timestamp", "Time Last Seen", "datetime", "analyticsinformation"),
    ("hs_analytics_last_url", "Last Page Seen", "string", "analyticsinformation"),
    ("num_conversion_events", "Number of Form Submissions", "number", "conversioninformation"),
    ("num_unique_conversion_events", "Number of Unique Forms Submitted", "number", "conversioninformation"),
    ("first_conversion_event_name", "First Conversion", "string", "conversioninformation"),
    ("first_conversion_date", "First Conversion Date", "datetime", "conversioninformation"),
    ("recent_conversion_event_name", "Recent Conversion", "string", "conversioninformation"),
    ("recent_conversion_date", "Recent Conversion Date", "datetime", "conversioninformation"),
    ("hs_email_last_open_date", "Last marketing email open date", "datetime", "emailinformation"),
    ("hs_email_last_click_date", "Last marketing email click date", "datetime", "emailinformation"),
)
"""(name, label, type, group): names, labels and types as HubSpot's properties API lists them."""


def _by_name(definitions: Iterable[PropertyDef]) -> Mapping[str, PropertyDef]:
    return MappingProxyType({d.name: d for d in definitions})


_OBJECT_ID = _fixed("hs_object_id", "Record ID", "number", "number")
_OWNER = _pick("hubspot_owner_id", "Contact owner", (), "sales_properties", external_options=True)

CONTACT_PROPERTIES: Mapping[str, PropertyDef] = _by_name(
    (
        _text("email", "Email"),
        _text("firstname", "First Name"),
        _text("lastname", "Last Name"),
        _text("jobtitle", "Job Title"),
        _text("company", "Company Name"),
        _pick("numemployees", "Number of Employees", ((r, r) for r in EMPLOYEE_RANGES), "contactinformation"),
        _text("industry", "Industry"),
        _text("country", "Country/Region"),
        _pick(
            "hs_analytics_source", "Original Traffic Source", _SOURCES, "analyticsinformation", read_only=True
        ),
        _stamp("createdate", "Create Date", "contactinformation"),
        _stamp("lastmodifieddate", "Last Modified Date", "contactinformation", read_only=True),
        _pick(
            "lifecyclestage",
            "Lifecycle Stage",
            zip(LIFECYCLE_STAGES, _LIFECYCLE_LABELS, strict=True),
            "contactinformation",
            field_type="radio",
        ),
        _pick("hs_lead_status", "Lead Status", _LEAD_STATUSES, "sales_properties", field_type="radio"),
        _OWNER,
        _fixed("hubspotscore", "HubSpot Score", "number", "number", calculated=True),
        _OBJECT_ID,
        PropertyDef(  # set by the subscriptions API only (api-notes.md, "Consent")
            "hs_email_optout",
            "Unsubscribed from all email",
            "bool",
            "booleancheckbox",
            "emailinformation",
            _BOOL_OPTIONS,
            read_only=True,
        ),
        _fixed("hs_merged_object_ids", "Merged Record IDs", "enumeration", "checkbox"),
        # Set by HubSpot's Salesforce connector (connector_ids.py). Names as HubSpot contact exports
        # hold them (`properties.salesforcecontactid`); label, type and read-only are unverified.
        _fixed("salesforcecontactid", "Salesforce Contact ID", "string", "text"),
        _fixed("salesforceleadid", "Salesforce Lead ID", "string", "text"),
        _fixed("hs_additional_emails", "Additional email addresses", "enumeration", "select"),
        _custom("leadsync_score", "Leadsync score", "number", "number"),
        _pick(
            "leadsync_temperature",
            "Leadsync temperature",
            (("cold", "Cold"), ("warm", "Warm"), ("hot", "Hot")),
            "leadsync",
            hubspot_defined=False,
        ),
        _custom("leadsync_stage_date", "Leadsync stage date", "datetime", "date"),
        _custom("leadsync_reasons", "Leadsync reasons", "string", "textarea"),
        _flag("leadsync_bant_budget", "BANT: budget"),
        _flag("leadsync_bant_authority", "BANT: authority"),
        _flag("leadsync_bant_need", "BANT: need"),
        _flag("leadsync_bant_timing", "BANT: timing"),
        *(_analytics(name, label, kind, group) for name, label, kind, group in _ANALYTICS),
    )
)


def _engagement(*specific: PropertyDef) -> Mapping[str, PropertyDef]:
    group = "engagement"
    return _by_name(
        (
            _stamp("hs_timestamp", "Activity date", group),
            _stamp("hs_createdate", "Create date", group, read_only=True),
            _stamp("hs_lastmodifieddate", "Last modified date", group, read_only=True),
            PropertyDef("hs_object_id", "Record ID", "number", "number", group, read_only=True),
            _OWNER,
            *specific,
        )
    )


OBJECT_PROPERTIES: Mapping[str, Mapping[str, PropertyDef]] = MappingProxyType(
    {
        "contacts": CONTACT_PROPERTIES,
        "meetings": _engagement(
            _text("hs_meeting_title", "Meeting name", "meeting"),
            _states("hs_meeting_outcome", "Meeting outcome", "meeting", *_MEETING_OUTCOMES),
            _stamp("hs_meeting_start_time", "Start time", "meeting"),
            _stamp("hs_meeting_end_time", "End time", "meeting"),
        ),
        "calls": _engagement(
            _text("hs_call_title", "Call title", "call"),
            _states("hs_call_status", "Call status", "call", "COMPLETED", "BUSY", "NO_ANSWER", "FAILED"),
            _states("hs_call_direction", "Call direction", "call", "INBOUND", "OUTBOUND"),
            PropertyDef("hs_call_duration", "Call duration", "number", "number", "call"),
        ),
        "emails": _engagement(
            _text("hs_email_subject", "Email subject", "email"),
            _states(
                "hs_email_direction", "Email direction", "email", "EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"
            ),
            _states("hs_email_status", "Email status", "email", "SENT", "BOUNCED", "FAILED"),
        ),
    }
)
