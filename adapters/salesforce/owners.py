"""Salesforce Users and queues as owners, and the e-mail ↔ owner id lookups write-back needs.

Kinds (api-notes, "Salesforce owners"): a queue is a Group with Type 'Queue' (ids 00G); an
integration user is the user leadsync connects as (the `identity` URL of Resources by Version
ends with its id) or one whose UserType is AutomatedProcess. Every other user is a person.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from leadsync.model import Owner, OwnerKind

from .client import SalesforceClient

__all__ = ["OwnerDirectory", "read_owners"]

_USERS = "SELECT Id, Name, Email, IsActive, UserType FROM User WHERE Email != null ORDER BY Id"
_QUEUES = "SELECT Id, Name, Email FROM Group WHERE Type = 'Queue' AND Email != null ORDER BY Id"
_AUTOMATED = "AutomatedProcess"


def read_owners(client: SalesforceClient, crm: str, *, page_size: int, me: str) -> Iterator[Owner]:
    """Every User with an e-mail, active or not (inactive ones flagged), then every queue with one;
    `me` is the id of the user leadsync connects as."""
    for raw in client.records(_USERS, page_size=page_size):
        integration = raw["Id"] == me or raw.get("UserType") == _AUTOMATED
        kind = OwnerKind.INTEGRATION if integration else OwnerKind.PERSON
        owner = _owner(raw, crm, active=bool(raw.get("IsActive")), kind=kind)
        if owner is not None:
            yield owner
    for raw in client.records(_QUEUES, page_size=page_size):
        owner = _owner(raw, crm, active=True, kind=OwnerKind.QUEUE)
        if owner is not None:
            yield owner


def connected_user(client: SalesforceClient) -> str:
    """The id of the user whose session leadsync uses: the last part of the `identity` URL."""
    resources = client.restful("resources", "")
    return str(resources.get("identity") or "").rstrip("/").rpartition("/")[2]


def _owner(raw: Mapping[str, Any], crm: str, *, active: bool, kind: OwnerKind) -> Owner | None:
    try:
        return Owner(str(raw["Email"]), str(raw.get("Name") or ""), active, {crm: str(raw["Id"])}, kind)
    except ValueError:  # ModelError: an address Salesforce took but we cannot normalise
        return None


class OwnerDirectory:
    """Owners read once per adapter: owner id → e-mail for reads, e-mail → active owner id for writes."""

    def __init__(self, client: SalesforceClient, crm: str, *, page_size: int) -> None:
        self._client, self._crm, self._page_size = client, crm, page_size
        self._by_id: dict[str, Owner] | None = None
        self._active_by_email: dict[str, str] = {}
        self._me: str | None = None

    def _load(self) -> dict[str, Owner]:
        if self._by_id is None:
            self.refresh()
        assert self._by_id is not None  # noqa: S101 - refresh() set it
        return self._by_id

    def me(self) -> str:
        """The id of the user leadsync connects as (asked once: a session is one user's)."""
        if self._me is None:
            self._me = connected_user(self._client)
        return self._me

    def refresh(self) -> list[Owner]:
        """Read every user and queue with an e-mail now, and keep them for the writes that follow."""
        owners = list(read_owners(self._client, self._crm, page_size=self._page_size, me=self.me()))
        self._by_id = {owner.crm_ids[self._crm]: owner for owner in owners}
        self._active_by_email = {o.email: i for i, o in self._by_id.items() if o.active}
        return owners

    def email_of(self, owner_id: object) -> str | None:
        """The e-mail of a user or queue id; None for an empty owner, a queue without one or an unknown id."""
        owner = self._load().get(str(owner_id)) if owner_id else None
        return owner.email if owner else None

    def user_id_of(self, email: str) -> str | None:
        """The active user or queue with this e-mail (normalised as the model does), if any."""
        self._load()
        return self._active_by_email.get(Owner(email).email)
