"""Who the org's users are allowed to be: profiles, permission sets and their assignments.

What leadsync reads of it is whether the user it signs in as is "API Only User": a user with that
permission cannot sign in to the user interface, so no person edits as it. The permission is a
checkbox of a profile or of a permission set assigned on top (`PermissionsApiUserOnly`, label
"API Only User": Salesforce Field Reference, Profile and PermissionSet; PermissionSetAssignment
links a user, `AssigneeId`, to a permission set, `PermissionSetId`: Object Reference). The
Salesforce Integration user licence gives its users the "Minimum Access - API Only
Integrations" profile, which "enables and also restricts assigned users to operate via API"
(Salesforce Help, "Give Integration Users API Only Access"): the seeded integration user has it,
people have "Standard User". Key prefixes 00e, 0PS and 0Pa: Salesforce Help, "Standard Field
Record ID Prefix Decoder". Profile-owned permission sets and their assignments are not seeded.

Test hooks: `set_profile(store, user, name)` moves a user to another seeded profile;
`assign_permission_set(store, user, name)` assigns a seeded permission set (`LeadSync_API_Only`
gives API Only User, `LeadSync_Fields` does not).
"""

from __future__ import annotations

from collections.abc import Callable

from .ids import make_id
from .store import Store
from .values import datetime_text

__all__ = ["API_ONLY_PROFILE", "PEOPLE_PROFILE", "assign_permission_set", "seed_access", "set_profile"]

API_ONLY_PROFILE = "Minimum Access - API Only Integrations"
PEOPLE_PROFILE = "Standard User"
_PROFILES = {API_ONLY_PROFILE: True, PEOPLE_PROFILE: False, "System Administrator": False}
_PERMISSION_SETS = {
    "LeadSync_API_Only": ("LeadSync API Only", True),
    "LeadSync_Fields": ("LeadSync Fields", False),
}


def seed_access(store: Store, mint: Callable[[str], str], since: str, creator: str) -> None:
    """Add the org's profiles and permission sets (none assigned yet)."""
    audit = {
        "CreatedDate": since, "CreatedById": creator, "LastModifiedDate": since,
        "LastModifiedById": creator, "SystemModstamp": since,
    }  # fmt: skip
    for name, api_only in _PROFILES.items():
        store.tables["Profile"].add(
            {"Id": mint("Profile"), "Name": name, "PermissionsApiUserOnly": api_only, **audit}
        )
    for name, (label, api_only) in _PERMISSION_SETS.items():
        store.tables["PermissionSet"].add({
            "Id": mint("PermissionSet"), "Name": name, "Label": label, "IsOwnedByProfile": False,
            "ProfileId": None, "PermissionsApiUserOnly": api_only, **audit,
        })  # fmt: skip


def set_profile(store: Store, user: str, profile: str) -> None:
    """Give a user (id or e-mail) another seeded profile, as an admin does."""
    with store.lock:
        users = store.tables["User"]
        row = users.rows[store.user_id(user)]
        row[users.columns["ProfileId"]] = _id_named(store, "Profile", profile)


def assign_permission_set(store: Store, user: str, permission_set: str) -> None:
    """Assign a seeded permission set (by API name) to a user (id or e-mail), as an admin does."""
    with store.lock:
        assignments = store.tables["PermissionSetAssignment"]
        assignments.add({
            "Id": _next_assignment_id(store), "AssigneeId": store.user_id(user),
            "PermissionSetId": _id_named(store, "PermissionSet", permission_set),
            "SystemModstamp": datetime_text(store.clock.now()),
        })  # fmt: skip


def _id_named(store: Store, sobject: str, name: str) -> str:
    table = store.tables[sobject]
    for record_id, row in table.rows.items():
        if table.value(row, "Name") == name:
            return record_id
    raise KeyError(f"the sandbox has no {sobject} named {name!r}")


def _next_assignment_id(store: Store) -> str:
    return make_id("PermissionSetAssignment", 1_000_000 + len(store.tables["PermissionSetAssignment"].rows))
