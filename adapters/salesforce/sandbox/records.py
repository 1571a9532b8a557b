"""Seeding: the shared population becomes the org's Users, queues, Accounts, Leads and Contacts.

People in Salesforce become Leads, Contacts (with an Account named after the company), or a
converted Lead plus the Contact it became. Unowned leads belong to the "Inbound Leads" queue
(one in four) or to the integration user, as leads created by web-to-lead or an API do;
unowned contacts belong to the integration user. Dirty people keep their dirty values. Ids
follow the population's order, so the same (people, seed, now) gives the same ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from leadsync.testing.seed import Population, SeedOwner, SeedPerson

from .access import API_ONLY_PROFILE, PEOPLE_PROFILE, seed_access, set_profile
from .activities import Who, seed_activities
from .ids import make_id
from .objects import COUNTRY_NAMES
from .store import Store
from .values import Value, datetime_text

__all__ = ["INTEGRATION_EMAIL", "Mint", "seed_store"]

INTEGRATION_EMAIL = "leadsync.integration@sales.example.com"
_QUEUES = (("Inbound Leads", "inbound-leads@sales.example.com"), ("Partner Leads", None))
_FIRST_NUMBER = 1_000_000  # real ids rarely start at zero


class Mint:
    """Deterministic ids, counted per object."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, sobject: str) -> str:
        """The next id of that object."""
        number = self._next.get(sobject, _FIRST_NUMBER)
        self._next[sobject] = number + 1
        return make_id(sobject, number)


def synced_ids(population: Population) -> dict[int, dict[str, str]]:
    """By seed key, the id of each person's Salesforce "Contact" and, unless converted, "Lead": the
    ids `seed_store` mints for them (per object, in the population's order), as a native sync or
    connector keeps them on the other CRM's record."""
    mint = Mint()
    found: dict[int, dict[str, str]] = {}
    for person in population.people:
        if not person.in_salesforce:
            continue
        kind, synced = person.salesforce_object, {}
        if kind in ("Contact", "ConvertedLead"):
            synced["Contact"] = mint("Contact")
        if kind in ("Lead", "ConvertedLead"):
            lead = mint("Lead")  # a converted Lead's id is minted all the same
            if kind == "Lead":
                synced["Lead"] = lead
        found[person.key] = synced
    return found


def seed_store(store: Store, population: Population) -> None:
    """Fill an empty store from the population (Users first, then people, then activities)."""
    mint = Mint()
    since = datetime_text(population.now - timedelta(days=800))
    integration = _add_user(store, mint, SeedOwner(INTEGRATION_EMAIL, "LeadSync", "Integration"), since, "")
    store.integration_user_id = integration
    seed_access(store, mint, since, integration)
    set_profile(store, integration, API_ONLY_PROFILE)
    users = {o.email: _add_user(store, mint, o, since, integration) for o in population.owners}
    for user_id in users.values():
        set_profile(store, user_id, PEOPLE_PROFILE)
    queues = [
        _add_queue(store, mint, name, email, since=since, creator=integration) for name, email in _QUEUES
    ]
    store.assignment_owner = queues[0]  # the org's active rule: every lead to "Inbound Leads"
    people = _People(store, mint, users, queues[0], integration)
    whos = {p.key: people.add(p) for p in population.people if p.in_salesforce}
    seed_activities(
        store, mint, ((p, whos[p.key]) for p in population.people if p.in_salesforce), population.now
    )


def _audit(created: str, modified: str, created_by: str, modified_by: str) -> dict[str, Value]:
    return {
        "CreatedDate": created,
        "CreatedById": created_by,
        "LastModifiedDate": modified,
        "LastModifiedById": modified_by,
        "SystemModstamp": modified,
    }


def _add_user(store: Store, mint: Mint, owner: SeedOwner, since: str, creator: str) -> str:
    user_id = mint("User")
    alias = (owner.first_name[:1] + owner.last_name[:4]).lower()
    store.tables["User"].add({
        "Id": user_id, "Username": owner.email, "FirstName": owner.first_name, "LastName": owner.last_name,
        "Email": owner.email, "Alias": alias, "IsActive": owner.active, "UserType": "Standard",
        **_audit(since, since, creator or user_id, creator or user_id),
    })  # fmt: skip
    return user_id


def _add_queue(store: Store, mint: Mint, name: str, email: str | None, *, since: str, creator: str) -> str:
    queue_id = mint("Group")
    store.tables["Group"].add({
        "Id": queue_id, "Name": name, "DeveloperName": name.replace(" ", "_"), "Type": "Queue",
        "Email": email, **_audit(since, since, creator, creator),
    })  # fmt: skip
    return queue_id


class _People:
    """Adds one person at a time, creating each company's Account on first sight."""

    def __init__(self, store: Store, mint: Mint, users: dict[str, str], queue: str, integration: str) -> None:
        self._store, self._mint, self._users = store, mint, users
        self._queue, self._integration = queue, integration
        self._accounts: dict[str, str] = {}

    def add(self, person: SeedPerson) -> Who:
        """The person's Lead and/or Contact rows; where their activities attach."""
        owner = self._users.get(person.owner or "")
        editor = owner or self._integration
        created, modified = datetime_text(person.created_at), datetime_text(person.modified_at)
        if person.salesforce_object == "Lead":
            lead_owner = owner or (self._queue if person.key % 4 == 0 else self._integration)
            lead_id = self._lead(person, lead_owner, _audit(created, modified, self._integration, editor))
            return Who(lead_id, lead_id, None, owner or self._integration)
        converted_at = person.created_at + (person.modified_at - person.created_at) / 2
        converted = datetime_text(converted_at)
        contact_created = converted if person.salesforce_object == "ConvertedLead" else created
        account_id = self._account(person, contact_created)
        contact_id = self._contact(
            person, account_id, owner, _audit(contact_created, modified, self._integration, editor)
        )
        if person.salesforce_object == "Contact":
            return Who(contact_id, None, contact_id, owner or self._integration)
        lead_id = self._lead(
            person, owner or self._integration, _audit(created, converted, self._integration, editor),
            IsConverted=True, ConvertedContactId=contact_id, ConvertedAccountId=account_id,
            ConvertedDate=converted[:10], Status="Closed - Converted",
        )  # fmt: skip
        return Who(contact_id, lead_id, contact_id, owner or self._integration)

    def _lead(self, person: SeedPerson, owner_id: str, audit: dict[str, Value], **converted: Value) -> str:
        lead_id = self._mint("Lead")
        qualification = person.qualification
        self._store.tables["Lead"].add({
            "Id": lead_id, "IsDeleted": False, "FirstName": person.first_name or None,
            "LastName": person.last_name or None, "Title": person.title or None, "Company": person.company,
            "Email": person.email or None, "Country": COUNTRY_NAMES.get(person.country),
            "CountryCode": person.country, "Industry": person.industry, "LeadSource": person.source,
            "Status": _status(person), "Rating": _rating(person), "NumberOfEmployees": person.employees,
            "OwnerId": owner_id, "IsConverted": False, "HasOptedOutOfEmail": False, **_pardot(person),
            **_bant(qualification), **audit,
            **converted,
        })  # fmt: skip
        return lead_id

    def _contact(
        self, person: SeedPerson, account_id: str, owner: str | None, audit: dict[str, Value]
    ) -> str:
        contact_id = self._mint("Contact")
        self._store.tables["Contact"].add({
            "Id": contact_id, "IsDeleted": False, "AccountId": account_id,
            "FirstName": person.first_name or None, "LastName": person.last_name or None,
            "Title": person.title or None, "Email": person.email or None,
            "MailingCountry": COUNTRY_NAMES.get(person.country), "MailingCountryCode": person.country,
            "LeadSource": person.source, "OwnerId": owner or self._integration, "HasOptedOutOfEmail": False,
            **_pardot(person), **_bant(person.qualification), **audit,
        })  # fmt: skip
        return contact_id

    def _account(self, person: SeedPerson, created: str) -> str:
        account_id = self._accounts.get(person.company)
        if account_id is None:
            account_id = self._accounts[person.company] = self._mint("Account")
            self._store.tables["Account"].add({
                "Id": account_id, "IsDeleted": False, "Name": person.company, "Industry": person.industry,
                "NumberOfEmployees": person.employees, "BillingCountry": COUNTRY_NAMES.get(person.country),
                "OwnerId": self._integration,
                **_audit(created, created, self._integration, self._integration),
            })  # fmt: skip
        return account_id


def _pardot(person: SeedPerson) -> dict[str, Value]:
    return {
        "pi__grade__c": _grade(person.employees),
        "pi__score__c": float(min(len(person.activities) * 7, 500)),
    }


def _bant(qualification: dict[str, bool]) -> dict[str, Value]:
    return {f"LeadSync_BANT_{item.title()}__c": qualification.get(item, False) for item in _BANT}


_BANT = ("budget", "authority", "need", "timing")


def _kinds(person: SeedPerson) -> Iterator[str]:
    return (a.kind for a in person.activities)


def _status(person: SeedPerson) -> str:
    kinds = set(_kinds(person))
    if kinds & {"meeting_held", "demo_request", "contact_request"}:  # sales answered an inbound request
        qualified = person.qualification and all(person.qualification.values())
        return "Qualified" if qualified else "Working - Contacted"
    if kinds & {"call", "meeting_booked"}:
        return "Working - Contacted"
    if person.key % 13 == 0:
        return "Closed - Not Converted"
    return "Nurturing" if person.key % 7 == 0 else "Open - Not Contacted"


def _rating(person: SeedPerson) -> str | None:
    kinds = set(_kinds(person))
    if kinds & {"demo_request", "quote_request", "contact_request", "documentation_request", "meeting_held"}:
        return "Hot"
    if len(person.activities) >= 10:  # noqa: PLR2004 - an engaged person
        return "Warm"
    return "Cold" if person.activities else None


def _grade(employees: int | None) -> str | None:
    if employees is None:
        return None
    return next(grade for floor, grade in ((800, "A"), (150, "B"), (40, "C"), (0, "D")) if employees >= floor)
