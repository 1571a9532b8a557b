"""Salesforce Users as owners, and the e-mail ↔ user id lookups write-back needs."""

from __future__ import annotations

from collections.abc import Iterator

from leadsync.model import Owner

from .client import SalesforceClient

__all__ = ["OwnerDirectory", "read_owners"]

_USERS = "SELECT Id, Name, Email, IsActive FROM User WHERE Email != null ORDER BY Id"


def read_owners(client: SalesforceClient, crm: str, *, page_size: int) -> Iterator[Owner]:
    """Every User with an e-mail, active or not (inactive ones flagged); queues (Group) are not people."""
    for raw in client.records(_USERS, page_size=page_size):
        try:
            yield Owner(
                str(raw["Email"]), str(raw.get("Name") or ""), bool(raw.get("IsActive")),
                {crm: str(raw["Id"])},
            )  # fmt: skip
        except ValueError:  # ModelError: an address Salesforce took but we cannot normalise
            continue


class OwnerDirectory:
    """Owners read once per adapter: user id → e-mail for reads, e-mail → active user id for writes."""

    def __init__(self, client: SalesforceClient, crm: str, *, page_size: int) -> None:
        self._client, self._crm, self._page_size = client, crm, page_size
        self._by_id: dict[str, Owner] | None = None
        self._active_by_email: dict[str, str] = {}

    def _load(self) -> dict[str, Owner]:
        if self._by_id is None:
            self.refresh()
        assert self._by_id is not None  # noqa: S101 - refresh() set it
        return self._by_id

    def refresh(self) -> list[Owner]:
        """Read every user with an e-mail now, and keep them for the writes that follow."""
        owners = list(read_owners(self._client, self._crm, page_size=self._page_size))
        self._by_id = {owner.crm_ids[self._crm]: owner for owner in owners}
        self._active_by_email = {o.email: i for i, o in self._by_id.items() if o.active}
        return owners

    def email_of(self, user_id: object) -> str | None:
        """The e-mail of a user id; None for a queue, an empty owner or an unknown id."""
        owner = self._load().get(str(user_id)) if user_id else None
        return owner.email if owner else None

    def user_id_of(self, email: str) -> str | None:
        """The active user with this e-mail (normalised as the model does), if any."""
        self._load()
        return self._active_by_email.get(Owner(email).email)
