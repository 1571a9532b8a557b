"""Seeding: a person's engagement signals become Tasks, Events and CampaignMembers.

Salesforce holds sales activity, not web tracking: calls, sales e-mails (opens), demo, quote,
contact and documentation requests, forms and newsletter sign-ups are Tasks (`TaskSubtype`
Call, Email or Task, one `Subject` per kind); meetings are Events; webinars, content downloads
(white papers, case studies, the price list), event sign-ups and e-mail clicks are
CampaignMembers of one campaign per type and ISO week, named after its type or, for case
studies and the price list, after the asset (all three are `Content` campaigns). A person is a member
of a campaign once, with the furthest status reached (Salesforce allows one membership per
campaign). Page views, social engagement, unsubscribes and bounces are HubSpot-side: absent.
Activities of converted leads belong to the Contact, as conversion moves them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leadsync.testing.seed import SeedPerson

from .store import Store
from .values import Value, date_text, datetime_text

__all__ = ["CAMPAIGN_NAMES", "EVENT_SUBJECTS", "MEMBER_KINDS", "TASK_KINDS", "Who", "seed_activities"]

TASK_KINDS: dict[str, tuple[str, str]] = {  # kind: (Subject, TaskSubtype)
    "call": ("Call", "Call"),
    "email_open": ("Email opened", "Email"),
    "demo_request": ("Demo request", "Task"),
    "quote_request": ("Quote request", "Task"),
    "contact_request": ("Contact request", "Task"),
    "documentation_request": ("Documentation request", "Task"),
    "form_submit": ("Form submitted", "Task"),
    "newsletter_signup": ("Newsletter signup", "Task"),
}
CAMPAIGN_NAMES: dict[str, str] = {  # kind: campaign name, where it is not the campaign's type
    "case_study_download": "Case study",
    "price_list_download": "Price list",
}
EVENT_SUBJECTS: dict[str, str] = {"meeting_booked": "Meeting booked", "meeting_held": "Meeting held"}
MEMBER_KINDS: dict[str, tuple[str, str]] = {  # kind: (Campaign.Type, CampaignMember.Status)
    "webinar_registered": ("Webinar", "Registered"),
    "webinar_attended": ("Webinar", "Attended"),
    "whitepaper_download": ("Content", "Responded"),
    "case_study_download": ("Content", "Responded"),
    "price_list_download": ("Content", "Responded"),
    "event_registration": ("Event", "Registered"),
    "email_click": ("Email", "Responded"),
}
_STATUS_RANK = {"Sent": 0, "Registered": 1, "Responded": 2, "Attended": 3}
_RESPONDED = frozenset({"Responded", "Attended"})
_MEETING_MINUTES = 30
_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Who:
    """Where a person's activities attach: the Lead or Contact, and the record owner."""

    who_id: str
    lead_id: str | None
    contact_id: str | None
    owner_id: str


def seed_activities(
    store: Store, mint: Callable[[str], str], people: Iterable[tuple[SeedPerson, Who]], now: datetime
) -> None:
    """Add every person's Tasks and Events, then campaigns and their members."""
    integration = store.integration_user_id
    tasks, events = store.tables["Task"], store.tables["Event"]
    campaigns = _Campaigns(store, mint, now)
    for person, who in people:
        for activity in person.activities:
            stamp = datetime_text(activity.occurred_at)
            audit = {"CreatedDate": stamp, "CreatedById": integration, "LastModifiedDate": stamp,
                     "LastModifiedById": integration, "SystemModstamp": stamp}  # fmt: skip
            if activity.kind in TASK_KINDS:
                subject, subtype = TASK_KINDS[activity.kind]
                tasks.add({
                    "Id": mint("Task"), "IsDeleted": False, "WhoId": who.who_id, "Subject": subject,
                    "ActivityDate": stamp[:10], "Status": "Completed", "Priority": "Normal",
                    "TaskSubtype": subtype, "OwnerId": who.owner_id, **audit,
                })  # fmt: skip
            elif activity.kind in EVENT_SUBJECTS:
                end = datetime_text(activity.occurred_at + timedelta(minutes=_MEETING_MINUTES))
                events.add({
                    "Id": mint("Event"), "IsDeleted": False, "WhoId": who.who_id,
                    "Subject": EVENT_SUBJECTS[activity.kind], "StartDateTime": stamp, "EndDateTime": end,
                    "DurationInMinutes": _MEETING_MINUTES, "OwnerId": who.owner_id, **audit,
                })  # fmt: skip
            elif activity.kind in MEMBER_KINDS:
                campaigns.join(who, activity.kind, activity.occurred_at, stamp)
    campaigns.flush()


class _Campaigns:
    """Campaigns made on first use; memberships merged per (person, campaign), added at the end.

    A campaign runs a week, counted back from the seed's `now` (not the calendar's weeks): which
    signals share a campaign, and so merge into one membership, is the same whatever day it is."""

    def __init__(self, store: Store, mint: Callable[[str], str], now: datetime) -> None:
        self._store, self._mint, self._now, self._today = store, mint, now, now.date()
        self._ids: dict[tuple[str, int], str] = {}
        self._members: dict[tuple[str, str], dict[str, Value]] = {}

    def join(self, who: Who, kind: str, moment: datetime, stamp: str) -> None:
        """Record one membership signal."""
        campaign_type, status = MEMBER_KINDS[kind]
        campaign_id = self._campaign(campaign_type, CAMPAIGN_NAMES.get(kind, campaign_type), moment)
        member = self._members.get((who.who_id, campaign_id))
        responded = stamp[:10] if status in _RESPONDED else None
        if member is None:
            user = self._store.integration_user_id
            self._members[(who.who_id, campaign_id)] = {
                "IsDeleted": False, "CampaignId": campaign_id, "LeadId": who.lead_id,
                "ContactId": who.contact_id, "LeadOrContactId": who.who_id, "Status": status,
                "HasResponded": responded is not None, "FirstRespondedDate": responded,
                "CreatedDate": stamp, "CreatedById": user, "LastModifiedDate": stamp,
                "LastModifiedById": user, "SystemModstamp": stamp,
            }  # fmt: skip
            return
        if _STATUS_RANK[status] > _STATUS_RANK[str(member["Status"])]:
            member["Status"] = status
        if responded and not member["FirstRespondedDate"]:
            member.update(HasResponded=True, FirstRespondedDate=responded)
        member.update(LastModifiedDate=max(stamp, str(member["LastModifiedDate"])))
        member["SystemModstamp"] = member["LastModifiedDate"]

    def flush(self) -> None:
        """Store the merged memberships, in order of first signal."""
        members = self._store.tables["CampaignMember"]
        for values in self._members.values():
            members.add({"Id": self._mint("CampaignMember"), **values})
        self._members.clear()

    def _campaign(self, campaign_type: str, name: str, moment: datetime) -> str:
        weeks_back = (self._now - moment) // _WEEK
        campaign_id = self._ids.get((name, weeks_back))
        if campaign_id is not None:
            return campaign_id
        campaign_id = self._ids[(name, weeks_back)] = self._mint("Campaign")
        start = (self._now - (weeks_back + 1) * _WEEK).date() + timedelta(days=1)
        year, week, _ = start.isocalendar()
        end = start + timedelta(days=6)
        created = datetime_text(
            datetime(start.year, start.month, start.day, 8, tzinfo=UTC) - timedelta(days=14)
        )
        user = self._store.integration_user_id
        self._store.tables["Campaign"].add({
            "Id": campaign_id, "IsDeleted": False, "Name": f"{name} {year}-W{week:02d}",
            "Type": campaign_type, "Status": "Completed" if end < self._today else "In Progress",
            "StartDate": date_text(start), "EndDate": date_text(end), "IsActive": end >= self._today,
            "OwnerId": user, "CreatedDate": created, "CreatedById": user, "LastModifiedDate": created,
            "LastModifiedById": user, "SystemModstamp": created,
        })  # fmt: skip
        return campaign_id
