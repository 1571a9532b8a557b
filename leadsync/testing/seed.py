"""A deterministic fake population every CRM sandbox is seeded from.

One neutral description of people, owners and activities; each sandbox turns it into its
own records (Salesforce Leads/Contacts/Tasks…, HubSpot contacts/engagements…). The people
are long-tailed like a real marketing database (segments in `seed_history`): about seven in
ten did at most one thing in the last 90 days and two in five nothing at all (list imports,
badge scans, purchased lists), one in ten is stale (created years ago, untouched for over a
year), about 2.5 % show a buying signal in the last 90 days, an engaged middle and a few
content collectors sit between; a few per cent have BANT answers, mostly incomplete. About
30 % are in both CRMs (same e-mail, sometimes in another case or with spaces), and one record
in a hundred is dirty on purpose. Faker fills small pools once; picks from the pools use one
`random.Random(seed)`, so 10,000 people take about half a second (100,000 about four) and
the same (seed, now) always gives the same population.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from faker import Faker

from leadsync.testing.seed_history import SEGMENTS, Segment, history, qualification

__all__ = [
    "DIRTY_KINDS",
    "Population",
    "SeedActivity",
    "SeedOwner",
    "SeedPerson",
    "population",
    "seed_instant",
]

_TEAM = (
    ("Alice", "Martin"), ("Bruno", "Keller"), ("Chloé", "Dubois"), ("David", "Smith"),
    ("Emma", "Fischer"), ("Frank", "Miller"), ("Grace", "Lee"), ("Sales", "Ops"), ("Henri", "Petit"),
)  # fmt: skip
_OWNERS = len(_TEAM)

TITLES_EN: tuple[str, ...] = (
    "CEO", "Founder & CEO", "Managing Director", "VP Sales", "VP Marketing", "CTO", "CFO", "Head of IT",
    "Head of Marketing", "Sales Director", "Marketing Director", "Sales Manager", "Marketing Manager",
    "Project Manager", "Team Lead", "Business Analyst", "Software Engineer", "Accountant", "Consultant",
    "Student", "Intern",
)  # fmt: skip
TITLES_FR: tuple[str, ...] = (
    "PDG", "DG", "Directeur Général", "Directrice Générale", "Fondatrice", "Directeur commercial",
    "Directrice marketing", "Responsable des achats", "Responsable marketing", "Chef de projet",
    "Ingénieur logiciel", "Comptable", "Chargée de communication", "Étudiant", "Étudiante en master",
    "Stagiaire",
)  # fmt: skip
INDUSTRIES: tuple[str, ...] = (
    "Software", "Financial Services", "Banking", "Insurance", "Manufacturing", "Retail", "Healthcare",
    "Education", "Media", "Telecommunications", "Energy", "Transportation",
)  # fmt: skip
COUNTRIES: tuple[str, ...] = (
    "FR",
    "FR",
    "FR",
    "BE",
    "CH",
    "DE",
    "GB",
    "US",
    "US",
    "CA",
    "ES",
    "IT",
    "JP",
    "BR",
)
SOURCES: tuple[str, ...] = (
    "LinkedIn", "Display", "Organic", "Webinar", "Referral", "Event", "Paid Search", "Purchased List",
)  # fmt: skip
EMPLOYEES: tuple[int | None, ...] = (None, 3, 12, 40, 80, 150, 240, 300, 800, 2500, 12000)
PAGES: dict[str, tuple[str, ...]] = {
    "page_view": ("/", "/blog/lead-scoring-101", "/about", "/careers"),
    "product_page_view": ("/product", "/product/integrations", "/product/scoring"),
    "pricing_page_view": ("/pricing", "/pricing/enterprise"),
}
DIRTY_KINDS: tuple[str, ...] = (
    "invalid_email",
    "missing_last_name",
    "unknown_picklist",
    "long_string",
    "non_latin",
)
_NON_LATIN = (("Юлия", "Смирнова"), ("陈", "伟"), ("محمد", "الحسن"), ("Γιώργος", "Παπαδόπουλος"))
_POOL = 400


@dataclass(frozen=True, slots=True)
class SeedOwner:
    """A sales user present in both CRMs with the same e-mail."""

    email: str
    first_name: str
    last_name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class SeedActivity:
    """One engagement signal, in common-model terms (`kind` is an ActivityKind value)."""

    kind: str
    occurred_at: datetime
    detail: str


@dataclass(frozen=True, slots=True)
class SeedPerson:
    """One person, and where and how each CRM holds them."""

    key: int
    first_name: str
    last_name: str
    email: str
    title: str
    company: str
    employees: int | None
    industry: str
    country: str
    source: str
    created_at: datetime
    modified_at: datetime
    owner: str | None
    in_salesforce: bool
    in_hubspot: bool
    salesforce_object: str  # "Lead", "Contact" or "ConvertedLead" (a lead converted to a contact)
    hubspot_email: str  # the same address as HubSpot holds it: other case, stray spaces
    qualification: dict[str, bool] = field(default_factory=dict)
    activities: tuple[SeedActivity, ...] = ()
    dirty: str | None = None  # one of DIRTY_KINDS


@dataclass(frozen=True, slots=True)
class Population:
    """Everything a pair of sandboxes is seeded with."""

    seed: int
    now: datetime
    people: tuple[SeedPerson, ...]
    owners: tuple[SeedOwner, ...]

    def in_salesforce(self) -> list[SeedPerson]:
        """The people the Salesforce sandbox holds."""
        return [p for p in self.people if p.in_salesforce]

    def in_hubspot(self) -> list[SeedPerson]:
        """The people the HubSpot sandbox holds."""
        return [p for p in self.people if p.in_hubspot]


@dataclass(frozen=True, slots=True)
class _Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[str, ...]
    owners: tuple[SeedOwner, ...]


@lru_cache(maxsize=8)
def seed_instant(now: datetime, seeded_at: datetime | None) -> datetime:
    """The instant a sandbox seeds its population up to: `seeded_at` (one instant shared by
    several sandboxes, so they hold the same people), else its clock's `now`; to the ms."""
    moment = now if seeded_at is None else seeded_at
    if moment > now:
        raise ValueError(f"a sandbox cannot be seeded after its clock's now ({seeded_at} > {now})")
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _pools(seed: int) -> _Pools:
    faker = Faker(["en_US", "fr_FR", "de_DE"])
    faker.seed_instance(seed)
    for _ in range(8):  # the names of the team before it was fixed: the pools below stay as they were
        faker.first_name(), faker.last_name()
    # The sales team the shipped definitions' territories name, so round robin finds them.
    owners = [
        SeedOwner(_team_email(first, last), first, last, active=i != _OWNERS - 1)
        for i, (first, last) in enumerate(_TEAM)
    ]  # the last one has left
    return _Pools(
        first_names=tuple(faker.first_name() for _ in range(_POOL)),
        last_names=tuple(faker.last_name() for _ in range(_POOL)),
        companies=tuple(faker.company() for _ in range(_POOL)),
        owners=tuple(owners),
    )


def population(people: int, seed: int, *, now: datetime) -> Population:
    """`people` deterministic people, shaped as SEGMENTS say, with activities up to `now`."""
    if not 0 <= people <= 1_000_000:  # noqa: PLR2004 - the sandboxes are sized for 100k
        raise ValueError(f"people must be between 0 and 1,000,000, got {people}")
    rng = random.Random(seed)
    bulk_edit = _ms(now - timedelta(days=rng.randint(2, 20), seconds=rng.randint(0, 86_399)))
    draw = _Draw(rng, _pools(seed), now, bulk_edit)
    return Population(seed, now, tuple(_person(key, draw) for key in range(people)), draw.pools.owners)


@dataclass(frozen=True, slots=True)
class _Draw:
    rng: random.Random
    pools: _Pools
    now: datetime
    bulk_edit: datetime  # many records share this modification stamp
    shares: tuple[float, ...] = tuple(s.share for s in SEGMENTS)


def _person(key: int, draw: _Draw) -> SeedPerson:
    rng, pools, now, bulk_edit = draw.rng, draw.pools, draw.now, draw.bulk_edit
    segment = rng.choices(SEGMENTS, draw.shares)[0]
    first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
    company = rng.choice(pools.companies)
    domain = _ascii(company.split()[0]) or "company"
    email = f"{_ascii(first)}.{_ascii(last)}.{key}@{domain}.example"
    created = _ms(now - timedelta(days=rng.uniform(*segment.created_days)))
    activities = tuple(sorted(_activities(segment, rng, now, created), key=lambda a: a.occurred_at))
    last_touch = activities[-1].occurred_at if activities else created
    # A fifth of the records were last modified by one bulk edit: many share one stamp.
    modified = bulk_edit if rng.random() < 0.2 and bulk_edit > created else max(created, last_touch)  # noqa: PLR2004
    # One record in a hundred is dirty, each kind in turn, so that even a small sandbox has some;
    # all of them in both CRMs, so that each CRM's reads meet them.
    dirty = DIRTY_KINDS[key // 100 % len(DIRTY_KINDS)] if key % 100 == 50 else None  # noqa: PLR2004
    where = 0.5 if dirty else rng.random()
    in_salesforce, in_hubspot = where < 0.65, where >= 0.35  # ~30 % in both  # noqa: PLR2004
    if dirty == "non_latin":
        first, last = rng.choice(_NON_LATIN)
    return SeedPerson(
        key=key,
        first_name=first,
        last_name="" if dirty == "missing_last_name" else last,
        email=f"{first}.{last}-at-{domain}" if dirty == "invalid_email" else email,
        title=("Director " * 40_000 if dirty == "long_string" else rng.choice(TITLES_EN + TITLES_FR)),
        company=company,
        employees=rng.choice(EMPLOYEES),
        industry="Underwater Basket Weaving" if dirty == "unknown_picklist" else rng.choice(INDUSTRIES),
        country=rng.choice(COUNTRIES),
        source=rng.choice(segment.sources + SOURCES),
        created_at=created,
        modified_at=modified,
        owner=rng.choice(pools.owners).email if rng.random() < 0.4 else None,  # noqa: PLR2004
        in_salesforce=in_salesforce,
        in_hubspot=in_hubspot,
        salesforce_object=rng.choices(("Lead", "Contact", "ConvertedLead"), (70, 20, 10))[0],
        hubspot_email=_variant(email, rng),
        qualification=qualification(segment, rng),
        activities=activities,
        dirty=dirty,
    )


def _activities(segment: Segment, rng: random.Random, now: datetime, created: datetime) -> list[SeedActivity]:
    return [
        SeedActivity(kind, _ms(moment), rng.choice(PAGES[kind]) if kind in PAGES else kind.replace("_", " "))
        for kind, moment in history(segment, rng, now, created)
    ]


def _variant(email: str, rng: random.Random) -> str:
    """The same address as another CRM may hold it: upper-cased initials, stray spaces."""
    roll = rng.random()
    if roll < 0.1:  # noqa: PLR2004
        return email.title()
    if roll < 0.15:  # noqa: PLR2004
        return f" {email} "
    return email


def _ms(moment: datetime) -> datetime:
    """Millisecond precision, as both CRMs store timestamps."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _team_email(first: str, last: str) -> str:
    """alice.martin@example.com; the shared queue is sales-ops@example.com (the definitions' fallback)."""
    joiner = "-" if first == "Sales" else "."
    return f"{_ascii(first)}{joiner}{_ascii(last)}@example.com"


def _ascii(text: str) -> str:
    """Lower-case ASCII letters only (accents and punctuation dropped) for e-mail parts."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in bare.lower() if ch.isalnum())
