"""Leave leadsync's own echoes out of incremental people reads (`skip_own_echoes`).

Every write moves a record's SystemModstamp, so the next read would read back what leadsync
wrote. Salesforce keeps who saved a record last (`LastModifiedById`), so a read after a cursor
can leave out the records whose last save was the integration user's: `AND LastModifiedById !=
'<its id>'`. A person who saves the record after leadsync puts their own id there: it is read.

That holds only while no person works as that user, so the option is refused unless the user is
"API Only User" (it cannot sign in to the user interface): through its profile, as the Salesforce
Integration user licence's "Minimum Access - API Only Integrations" profile is (Salesforce Help,
"Give Integration Users API Only Access"), or through a permission set assigned to it. Both carry
the permission as the checkbox `PermissionsApiUserOnly` (Salesforce Field Reference, Profile and
PermissionSet; PermissionSetAssignment: Object Reference). What API only cannot prove, that no
other integration signs in as the same user, the README asks of the admin.

Left out with the echoes: saves that automation makes within leadsync's own (flows and triggers
run as the user who saved), and a person's edit made between leadsync's read of a record and its
write to it, hidden by that write until the record is saved again. The first read (no cursor yet)
reads every record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from leadsync.adapter_api import AuthError, StreamUnavailable
from leadsync.kit import CallRefused
from leadsync.model import Cursor
from leadsync.problems import Problem

from .client import SalesforceClient
from .owners import OwnerDirectory
from .soql import soql_string

__all__ = ["Dedication", "OwnEchoes"]

_FIRST_READ: Final = datetime(1970, 1, 1, tzinfo=UTC)  # the cursor of a stream never read
_ROWS: Final = 200  # the smallest batch size: these queries return a row or two


@dataclass(frozen=True, slots=True)
class Dedication:
    """The integration user, and what makes it API only ("" when nothing does)."""

    user_id: str
    username: str
    profile: str
    api_only_by: str
    unknown: str = ""  # why the permission sets could not be read


class OwnEchoes:
    """Whether people reads leave out the integration user's own saves, and the check that allows it."""

    def __init__(
        self, client: SalesforceClient, owners: OwnerDirectory, *, enabled: bool, config_file: str
    ) -> None:
        self._client, self._owners, self.enabled = client, owners, enabled
        self._file = config_file or "the config file"
        self._found: Dedication | None = None

    def condition(self, since: Cursor) -> str:
        """The SOQL condition for a read after `since` ("" when off, or on a first read, which reads
        every record). Raises AuthError, before any record is read, when the user is not API only."""
        if not self.enabled:
            return ""
        found = self.dedication()
        if not found.api_only_by:
            raise AuthError(self._refusal(found).render())
        return "" if since.stamp <= _FIRST_READ else f"LastModifiedById != {soql_string(found.user_id)}"

    def problems(self) -> list[Problem]:
        """`check --live`: what keeps the option from being used (nothing when it is off)."""
        if not self.enabled:
            return []
        try:
            found = self.dedication()
        except AuthError:  # refused credentials: the schema check names them
            return []
        return [] if found.api_only_by else [self._refusal(found)]

    def dedication(self) -> Dedication:
        """The integration user's profile and API-only grant, read once."""
        if self._found is None:
            self._found = _dedication(self._client, self._owners.me())
        return self._found

    def _refusal(self, found: Dedication) -> Problem:
        crm = self._client.crm
        unknown = f"; {found.unknown}" if found.unknown else ""
        message = (
            f"the Salesforce user {found.username} ({found.user_id}) is not API only: neither its "
            f"profile {found.profile!r} nor a permission set assigned to it has API Only User{unknown}, "
            "so a person may sign in as it, and leadsync would take that person's edits for its own "
            "and skip them"
        )
        fix = (
            "connect as a user that only leadsync uses and that has API Only User (the Salesforce "
            "Integration user licence's profile, or a permission set), or set skip_own_echoes = false "
            f"(LEADSYNC_CRM__{crm.upper()}__SKIP_OWN_ECHOES=false); then run `leadsync check --live`"
        )
        return Problem(self._file, f"crm.{crm}.skip_own_echoes", message, fix)


def _dedication(client: SalesforceClient, user_id: str) -> Dedication:
    me = soql_string(user_id)
    user_query = (
        f"SELECT Id, Username, Profile.Name, Profile.PermissionsApiUserOnly FROM User WHERE Id = {me}"  # noqa: S608
    )
    user = next(iter(client.records(user_query, page_size=_ROWS)), {})
    profile = user.get("Profile") or {}
    found = Dedication(user_id, str(user.get("Username") or user_id), str(profile.get("Name") or "?"), "")
    if profile.get("PermissionsApiUserOnly") is True:
        return replace(found, api_only_by=f"its profile {found.profile!r}")
    granting = (
        "SELECT PermissionSet.Name FROM PermissionSetAssignment "  # noqa: S608
        f"WHERE AssigneeId = {me} AND PermissionSet.PermissionsApiUserOnly = true"
    )
    try:
        rows = list(client.records(granting, page_size=_ROWS))
    except (StreamUnavailable, CallRefused) as exc:
        return replace(found, unknown=f"its permission sets cannot be read ({exc})")
    names = [str((row.get("PermissionSet") or {}).get("Name")) for row in rows]
    return replace(found, api_only_by=f"permission set {names[0]!r}" if names else "")
