"""The emulated org's objects: standard fields leadsync reads plus the LeadSync custom fields.

Picklists: `Lead.Status`, `Lead.Rating`, the country codes, `Contact.LeadSync_Stage__c` and
`LeadSync_Temperature__c` are restricted; `Industry` and `LeadSource` are not, so dirty values
seen in real orgs exist here too. `LeadSync_Age_Days__c` is a formula: calculated, read-only.
"""

from __future__ import annotations

from leadsync.testing.seed import INDUSTRIES, SOURCES

from .schema import FieldSpec, Formula, ObjectSpec

__all__ = ["COUNTRY_NAMES", "LEAD_STATUSES", "NAME_ENTITY", "OBJECTS", "STAGE_VALUES"]

COUNTRY_NAMES: dict[str, str] = {
    "BE": "Belgium", "BR": "Brazil", "CA": "Canada", "CH": "Switzerland", "DE": "Germany",
    "ES": "Spain", "FR": "France", "GB": "United Kingdom", "IE": "Ireland", "IN": "India",
    "IT": "Italy", "JP": "Japan", "LU": "Luxembourg", "MX": "Mexico", "NL": "Netherlands",
    "PT": "Portugal", "SE": "Sweden", "US": "United States",
}  # fmt: skip
LEAD_STATUSES = (
    "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted",
    "Qualified", "Nurturing",
)  # fmt: skip
STAGE_VALUES = ("Lead", "MQL", "SQL", "Opportunity", "Customer", "Nurture", "Disqualified")
_TEMPERATURES = ("Cold", "Warm", "Hot")
_SOURCES = (*SOURCES, "Web", "Phone Inquiry", "Partner Referral", "Other")  # SOURCES holds "Purchased List"
_CODES = tuple(sorted(COUNTRY_NAMES))


def _ro(
    name: str,
    label: str,
    kind: str,
    length: int = 0,
    *,
    formula: Formula | None = None,
    nillable: bool = True,
) -> FieldSpec:
    return FieldSpec(
        name, label, kind, length, updateable=False, createable=False, nillable=nillable, formula=formula
    )


def _id(label: str) -> FieldSpec:
    return _ro("Id", label, "id", 18, nillable=False)


def _text(name: str, label: str, length: int, *, updateable: bool = True) -> FieldSpec:
    return FieldSpec(name, label, "string", length, updateable=updateable)


def _pick(name: str, label: str, values: tuple[str, ...], *, restricted: bool = False) -> FieldSpec:
    return FieldSpec(name, label, "picklist", 255, picklist=values, restricted=restricted)


def _bool(name: str, label: str, *, writable: bool = True) -> FieldSpec:
    return FieldSpec(name, label, "boolean", nillable=False, updateable=writable, createable=writable)


def _ref(
    name: str, label: str, targets: tuple[str, ...], relationship: str, *, writable: bool = True
) -> FieldSpec:
    return FieldSpec(
        name, label, "reference", 18, reference_to=targets, relationship=relationship,
        updateable=writable, createable=writable,
    )  # fmt: skip


def _typed(name: str, label: str, kind: str, *, writable: bool = True) -> FieldSpec:
    precision, scale = (18, 2) if kind == "double" else (0, 0)
    return FieldSpec(
        name, label, kind, precision=precision, scale=scale, updateable=writable, createable=writable
    )


def _audit() -> tuple[FieldSpec, ...]:
    return (
        _ro("CreatedDate", "Created Date", "datetime", nillable=False),
        _ref("CreatedById", "Created By ID", ("User",), "CreatedBy", writable=False),
        _ro("LastModifiedDate", "Last Modified Date", "datetime", nillable=False),
        _ref("LastModifiedById", "Last Modified By ID", ("User",), "LastModifiedBy", writable=False),
        _ro("SystemModstamp", "System Modstamp", "datetime", nillable=False),
    )


def _names(first: int = 40) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("LastName", "Last Name", "string", 80, nillable=False),
        _text("FirstName", "First Name", first),
        _ro("Name", "Full Name", "string", 121, formula="full_name"),
    )


def _leadsync(*, stage: bool) -> tuple[FieldSpec, ...]:
    stage_fields = (
        (_pick("LeadSync_Stage__c", "LeadSync Stage", STAGE_VALUES, restricted=True),) if stage else ()
    )
    temperature = (
        (_pick("LeadSync_Temperature__c", "LeadSync Temperature", _TEMPERATURES, restricted=True),)
        if stage
        else ()
    )
    return (
        *stage_fields,
        _typed("LeadSync_Score__c", "LeadSync Score", "double"),
        *temperature,
        _typed("LeadSync_Stage_Date__c", "LeadSync Stage Date", "datetime"),
        FieldSpec(
            "LeadSync_Reasons__c", "LeadSync Reasons", "textarea", 32768, filterable=False, sortable=False
        ),
        _text("LeadSync_Grade__c", "LeadSync Grade", 10),
        _typed("LeadSync_Engagement__c", "LeadSync Engagement", "double"),
        _text("LeadSync_Grade_Matrix__c", "LeadSync Grade Matrix", 10),
        _bool("LeadSync_BANT_Budget__c", "BANT Budget"),
        _bool("LeadSync_BANT_Authority__c", "BANT Authority"),
        _bool("LeadSync_BANT_Need__c", "BANT Need"),
        _bool("LeadSync_BANT_Timing__c", "BANT Timing"),
    )


# Account Engagement (Pardot) adds its score and grade to both Lead and Contact.
_PARDOT = (_typed("pi__score__c", "Score", "double"), _text("pi__grade__c", "Grade", 10))
_LEAD = ObjectSpec("Lead", "Lead", "Leads", (
    _id("Lead ID"), _bool("IsDeleted", "Deleted", writable=False), *_names(),
    _text("Title", "Title", 128),
    FieldSpec("Company", "Company", "string", 255, nillable=False),
    FieldSpec("Email", "Email", "email", 80),
    _text("Country", "Country", 80),
    _pick("CountryCode", "Country Code", _CODES, restricted=True),
    _pick("Industry", "Industry", (*INDUSTRIES, "Other")),
    _pick("LeadSource", "Lead Source", _SOURCES),
    FieldSpec("Status", "Status", "picklist", 40, nillable=False, picklist=LEAD_STATUSES, restricted=True,
              default="Open - Not Contacted"),
    _pick("Rating", "Rating", _TEMPERATURES, restricted=True),
    _typed("NumberOfEmployees", "Employees", "int"), _bool("HasOptedOutOfEmail", "Email Opt Out"),
    _ref("OwnerId", "Owner ID", ("Group", "User"), "Owner"),
    _bool("IsConverted", "Converted", writable=False),
    _typed("ConvertedDate", "Converted Date", "date", writable=False),
    _ref("ConvertedAccountId", "Converted Account ID", ("Account",), "ConvertedAccount", writable=False),
    _ref("ConvertedContactId", "Converted Contact ID", ("Contact",), "ConvertedContact", writable=False),
    _ref("MasterRecordId", "Master Record ID", ("Lead",), "MasterRecord", writable=False),
    *_audit(), *_leadsync(stage=False), *_PARDOT,
    _ro("LeadSync_Age_Days__c", "Age (days)", "double", formula="age_days"),
))  # fmt: skip
_CONTACT = ObjectSpec("Contact", "Contact", "Contacts", (
    _id("Contact ID"), _bool("IsDeleted", "Deleted", writable=False),
    _ref("AccountId", "Account ID", ("Account",), "Account"), *_names(),
    _text("Title", "Title", 128), FieldSpec("Email", "Email", "email", 80),
    _text("MailingCountry", "Mailing Country", 80),
    _pick("MailingCountryCode", "Mailing Country Code", _CODES, restricted=True),
    _pick("LeadSource", "Lead Source", _SOURCES), _bool("HasOptedOutOfEmail", "Email Opt Out"),
    _ref("OwnerId", "Owner ID", ("User",), "Owner"), *_audit(), *_leadsync(stage=True), *_PARDOT,
    _ref("MasterRecordId", "Master Record ID", ("Contact",), "MasterRecord", writable=False),
))  # fmt: skip
_ACCOUNT = ObjectSpec("Account", "Account", "Accounts", (
    _id("Account ID"), _bool("IsDeleted", "Deleted", writable=False),
    FieldSpec("Name", "Account Name", "string", 255, nillable=False),
    _pick("Industry", "Industry", (*INDUSTRIES, "Other")),
    _typed("NumberOfEmployees", "Employees", "int"),
    _text("BillingCountry", "Billing Country", 80),
    _ref("OwnerId", "Owner ID", ("User",), "Owner"), *_audit(),
))  # fmt: skip
_TASK = ObjectSpec("Task", "Task", "Tasks", (
    _id("Activity ID"), _bool("IsDeleted", "Deleted", writable=False),
    _ref("WhoId", "Name ID", ("Contact", "Lead"), "Who"),
    FieldSpec("Subject", "Subject", "combobox", 255),
    _typed("ActivityDate", "Due Date Only", "date"),
    FieldSpec("Status", "Status", "picklist", 40, nillable=False, restricted=True, default="Not Started",
              picklist=("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")),
    FieldSpec("Priority", "Priority", "picklist", 40, nillable=False, restricted=True, default="Normal",
              picklist=("High", "Normal", "Low")),
    FieldSpec("TaskSubtype", "Task Subtype", "picklist", 40, updateable=False, restricted=True,
              picklist=("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")),
    _ref("OwnerId", "Assigned To ID", ("Group", "User"), "Owner"), *_audit(),
))  # fmt: skip
_EVENT = ObjectSpec("Event", "Event", "Events", (
    _id("Activity ID"), _bool("IsDeleted", "Deleted", writable=False),
    _ref("WhoId", "Name ID", ("Contact", "Lead"), "Who"),
    FieldSpec("Subject", "Subject", "combobox", 255),
    _typed("StartDateTime", "Start", "datetime"), _typed("EndDateTime", "End", "datetime"),
    _typed("DurationInMinutes", "Duration", "int"),
    _ref("OwnerId", "Assigned To ID", ("Group", "User"), "Owner"), *_audit(),
))  # fmt: skip
_CAMPAIGN = ObjectSpec("Campaign", "Campaign", "Campaigns", (
    _id("Campaign ID"), _bool("IsDeleted", "Deleted", writable=False),
    FieldSpec("Name", "Name", "string", 80, nillable=False),
    _pick("Type", "Type", ("Webinar", "Content", "Event", "Email", "Advertisement", "Other")),
    _pick("Status", "Status", ("Planned", "In Progress", "Completed", "Aborted")),
    _typed("StartDate", "Start Date", "date"), _typed("EndDate", "End Date", "date"),
    _bool("IsActive", "Active"), _ref("OwnerId", "Owner ID", ("User",), "Owner"), *_audit(),
))  # fmt: skip
_MEMBER = ObjectSpec("CampaignMember", "Campaign Member", "Campaign Members", (
    _id("Campaign Member ID"), _bool("IsDeleted", "Deleted", writable=False),
    FieldSpec("CampaignId", "Campaign ID", "reference", 18, nillable=False, updateable=False,
              reference_to=("Campaign",), relationship="Campaign"),
    _ref("LeadId", "Lead ID", ("Lead",), "Lead", writable=False),
    _ref("ContactId", "Contact ID", ("Contact",), "Contact", writable=False),
    _ref("LeadOrContactId", "Lead or Contact ID", ("Contact", "Lead"), "LeadOrContact", writable=False),
    _pick("Status", "Status", ("Sent", "Registered", "Attended", "Responded")),
    _bool("HasResponded", "Responded", writable=False),
    _typed("FirstRespondedDate", "First Responded Date", "date", writable=False), *_audit(),
))  # fmt: skip
_USER = ObjectSpec("User", "User", "Users", (
    _id("User ID"), _text("Username", "Username", 80, updateable=False),
    FieldSpec("LastName", "Last Name", "string", 80, nillable=False, updateable=False),
    _text("FirstName", "First Name", 40, updateable=False),
    _ro("Name", "Full Name", "string", 121, formula="full_name"),
    FieldSpec("Email", "Email", "email", 128, nillable=False, updateable=False),
    _text("Alias", "Alias", 8, updateable=False), _bool("IsActive", "Active", writable=False),
    FieldSpec("UserType", "User Type", "picklist", 40, picklist=("Standard", "PowerPartner", "CsnOnly"),
              restricted=True, updateable=False, createable=False),
    _ref("ProfileId", "Profile ID", ("Profile",), "Profile", writable=False),
    *_audit(),
), updateable=False)  # fmt: skip
# Who may do what (see `access.py`): a profile per user, permission sets assigned on top. Of their
# many `Permissions*` checkboxes only "API Only User" is emulated.
_PROFILE = ObjectSpec("Profile", "Profile", "Profiles", (
    _id("Profile ID"), FieldSpec("Name", "Name", "string", 255, nillable=False, updateable=False),
    _bool("PermissionsApiUserOnly", "API Only User", writable=False), *_audit(),
), updateable=False)  # fmt: skip
_PERMISSION_SET = ObjectSpec("PermissionSet", "Permission Set", "Permission Sets", (
    _id("PermissionSet ID"), _text("Name", "Permission Set Name", 80, updateable=False),
    _text("Label", "Permission Set Label", 80, updateable=False),
    _bool("IsOwnedByProfile", "Is Owned By Profile", writable=False),
    _ref("ProfileId", "Profile ID", ("Profile",), "Profile", writable=False),
    _bool("PermissionsApiUserOnly", "API Only User", writable=False), *_audit(),
), updateable=False)  # fmt: skip
_ASSIGNMENT_NAMES = ("PermissionSetAssignment", "Permission Set Assignment", "Permission Set Assignments")
_ASSIGNMENT = ObjectSpec(*_ASSIGNMENT_NAMES, (
    _id("PermissionSetAssignment ID"),
    _ref("AssigneeId", "Assignee ID", ("User",), "Assignee", writable=False),
    _ref("PermissionSetId", "Permission Set ID", ("PermissionSet",), "PermissionSet", writable=False),
    _ro("SystemModstamp", "Date Assigned", "datetime", nillable=False),
), updateable=False)  # fmt: skip
_GROUP = ObjectSpec("Group", "Group", "Groups", (
    _id("Group ID"), FieldSpec("Name", "Name", "string", 40, nillable=False, updateable=False),
    _text("DeveloperName", "Developer Name", 80, updateable=False),
    FieldSpec("Type", "Type", "picklist", 40, picklist=("Queue", "Regular", "Role"), restricted=True,
              updateable=False, createable=False),
    FieldSpec("Email", "Email", "email", 255, updateable=False), *_audit(),
), updateable=False)  # fmt: skip

OBJECTS: dict[str, ObjectSpec] = {
    spec.name: spec
    for spec in (
        _LEAD, _CONTACT, _ACCOUNT, _TASK, _EVENT, _CAMPAIGN, _MEMBER, _USER, _GROUP,
        _PROFILE, _PERMISSION_SET, _ASSIGNMENT,
    )
}  # fmt: skip
# What a polymorphic lookup (Owner on Lead, Who on Task) exposes of the record it points at.
NAME_ENTITY = ObjectSpec("Name", "Name", "Names", (
    _ro("Id", "Name ID", "id", 18), _ro("Name", "Name", "string", 255), _ro("Email", "Email", "email", 80),
    _ro("FirstName", "First Name", "string", 40), _ro("LastName", "Last Name", "string", 80),
    _ro("Alias", "Alias", "string", 8), _ro("Title", "Title", "string", 128),
    _ro("Username", "Username", "string", 80), _ro("IsActive", "Active", "boolean"),
    _ro("Type", "Object Type", "picklist", 40, formula="object_type"),
), queryable=False, updateable=False)  # fmt: skip
