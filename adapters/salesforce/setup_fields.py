"""What an admin creates in Setup for the shipped mapping, and what to say when a field is missing.

Describe lists only the fields the integration user can see: a field absent from it may
exist but be hidden by field-level security. `CountryCode`/`StateCode` fields exist only with
State and Country/Territory Picklists enabled; `pi__` fields only with the Account Engagement
(Pardot) connector package (shared/api-notes.md, "Corrections, 2026-12").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["CUSTOM_FIELDS", "CustomField", "missing_field_fix", "setup_table"]


@dataclass(frozen=True, slots=True)
class CustomField:
    """One custom field the shipped mapping (mappings/salesforce.toml) reads or writes."""

    name: str
    objects: tuple[str, ...]
    setup_type: str  # as Setup → Object Manager → Fields & Relationships → New names it
    values: tuple[str, ...] = ()
    use: str = ""


CUSTOM_FIELDS: Final = (
    CustomField("LeadSync_Score__c", ("Lead", "Contact"), "Number(3, 0)", use="written: the lead score"),
    CustomField(
        "LeadSync_Stage__c",
        ("Contact",),
        "Picklist (restricted)",
        ("Lead", "MQL", "SQL", "Opportunity", "Customer", "Nurture", "Disqualified"),
        "read and written: the funnel stage",
    ),
    CustomField(
        "LeadSync_Temperature__c",
        ("Contact",),
        "Picklist (restricted)",
        ("Cold", "Warm", "Hot"),
        "written: the temperature (Leads use the standard Rating)",
    ),
    *(
        CustomField(
            f"LeadSync_BANT_{item}__c", ("Lead", "Contact"), "Checkbox", use="read: BANT qualification"
        )
        for item in ("Budget", "Authority", "Need", "Timing")
    ),
    CustomField(
        "LeadSync_Stage_Date__c",
        ("Lead", "Contact"),
        "Date/Time",
        use="optional, written: when the stage began",
    ),
    CustomField(
        "LeadSync_Reasons__c",
        ("Lead", "Contact"),
        "Long Text Area(32768)",
        use="optional, written: top reasons",
    ),
    CustomField("LeadSync_Grade__c", ("Lead", "Contact"), "Text(10)", use="optional, written: the fit grade"),
    CustomField(
        "LeadSync_Engagement__c",
        ("Lead", "Contact"),
        "Number(3, 0)",
        use="optional, written: the engagement score (behaviour alone)",
    ),
    CustomField(
        "LeadSync_Grade_Matrix__c",
        ("Lead", "Contact"),
        "Text(10)",
        use='optional, written: grade and temperature, e.g. "A1"',
    ),
)
"""Custom fields to create; the Lead Status picklist also needs the values Qualified and Nurturing."""

_BY_NAME: Final = {field.name.casefold(): field for field in CUSTOM_FIELDS}
_FLS: Final = (
    "if it exists, describe hides it from the integration user: grant it read access (and edit, "
    "for a written field) in field-level security"
)


def missing_field_fix(sobject: str, field: str) -> str:
    """How an admin makes `field` visible on `sobject`, or what to map instead."""
    known = _BY_NAME.get(field.casefold())
    if known is not None:
        values = f" with the values {', '.join(known.values)}" if known.values else ""
        return (
            f"create the custom field {known.name} ({known.setup_type}{values}) on {sobject} in Setup → "
            f"Object Manager; {_FLS}"
        )
    if field.casefold().startswith("pi__"):
        return (
            "pi__ fields come with the Account Engagement (Pardot) connector package: install and "
            f"connect it, or remove the line; {_FLS}"
        )
    if field.endswith(("CountryCode", "StateCode")):
        return (
            "enable State and Country/Territory Picklists in Setup (the *Code fields exist only "
            f"then), or map the text field {field.removesuffix('Code')} instead; {_FLS}"
        )
    if field.endswith("__c"):
        return f"create the custom field in Setup → Object Manager → {sobject}, or remove the line; {_FLS}"
    return f"check the API name; {_FLS}"


def setup_table() -> str:
    """The custom fields as a Markdown table (README shows it, `check --live` names each one)."""
    rows = ["| field | objects | type | values | use |", "|---|---|---|---|---|"]
    for f in CUSTOM_FIELDS:
        values = ", ".join(f.values) or "—"
        rows.append(f"| `{f.name}` | {', '.join(f.objects)} | {f.setup_type} | {values} | {f.use} |")
    return "\n".join(rows) + "\n"
