"""Identity links: which records in which CRMs are one person, by the ids they hold of each other
(their cross-references, leadsync/cross_references.py), else by normalised e-mail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from leadsync.emails import normalize_email
from leadsync.model import RecordRef
from leadsync.store.claims import ClaimBook, record_merge
from leadsync.store.entries import DUE_NOW, PersonId, ref_matches, refs_in
from leadsync.store.schema import activities, people, record_links, record_values

__all__ = ["Links", "link_all"]

_CHUNK = 500  # keys per IN list


class Links:
    """Person ↔ records. A Salesforce Lead and Contact sharing an e-mail are one person."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def link(self, ref: RecordRef, email: str, *, same_as: Sequence[RecordRef] = ()) -> PersonId:
        """Link `ref` to the person its cross-references (`same_as`) or else its e-mail name,
        creating the person if none has it yet (see `link_all`)."""
        with self._engine.begin() as conn:
            return link_all(conn, [(ref, email)], same_as={ref: same_as})[ref]

    def unlink(self, ref: RecordRef, *, survivor: RecordRef | None = None) -> None:
        """Forget a deleted or merged-away record: its link, its remembered values, its claims.

        Its person (and the survivor's) becomes due: the records and activities that count for
        them changed. A merged-away record's kept activities move to the `survivor`, whether or
        not its CRM changes them in the merge (Salesforce re-parents a victim's Tasks, which are
        read again; a HubSpot merge re-associates engagements without touching them), so they
        count once, for the survivor's person.
        """
        with self._engine.begin() as conn:
            former = conn.scalar(select(record_links.c.person_id).where(ref_matches(record_links, ref)))
            record_merge(conn, ref, survivor)
            conn.execute(delete(record_values).where(ref_matches(record_values, ref)))
            conn.execute(delete(record_links).where(ref_matches(record_links, ref)))
            if survivor is not None:
                conn.execute(
                    update(activities)
                    .where(
                        activities.c.person_crm == ref.crm,
                        activities.c.person_object_type == ref.object_type,
                        activities.c.person_record_id == ref.record_id,
                    )
                    .values(
                        person_crm=survivor.crm,
                        person_object_type=survivor.object_type,
                        person_record_id=survivor.record_id,
                    )
                )
            due = [former]
            if survivor is not None:
                due.append(
                    conn.scalar(select(record_links.c.person_id).where(ref_matches(record_links, survivor)))
                )
            wanted = [person for person in due if person is not None]
            if wanted:
                conn.execute(update(people).where(people.c.id.in_(wanted)).values(reevaluate_at=DUE_NOW))

    def person_of(self, ref: RecordRef) -> PersonId | None:
        """The person `ref` is linked to, if any."""
        return self.people_of([ref]).get(ref)

    def people_of(self, refs: Iterable[RecordRef]) -> dict[RecordRef, PersonId]:
        """The person of each linked record among `refs`."""
        found: dict[RecordRef, PersonId] = {}
        with self._engine.connect() as conn:
            for where in refs_in(record_links, list(refs)):
                rows = conn.execute(select(record_links).where(where))
                found.update(
                    {RecordRef(r.crm, r.object_type, r.record_id): PersonId(r.person_id) for r in rows}
                )
        return found

    def person_by_email(self, email: str) -> PersonId | None:
        """The person with this e-mail as key or on one of their records."""
        with self._engine.connect() as conn:
            return _person_by_email(conn, normalize_email(email))

    def email_of(self, person: PersonId) -> str | None:
        """The person's key e-mail."""
        with self._engine.connect() as conn:
            value = conn.scalar(select(people.c.email).where(people.c.id == person))
        return None if value is None else str(value)

    def person_in_several_crms(self) -> PersonId | None:
        """A person (the lowest id) with records in more than one CRM, if any."""
        query = (
            select(record_links.c.person_id)
            .group_by(record_links.c.person_id)
            .having(func.count(record_links.c.crm.distinct()) > 1)
            .order_by(record_links.c.person_id)
            .limit(1)
        )
        with self._engine.connect() as conn:
            found = conn.scalar(query)
        return None if found is None else PersonId(found)

    def crms_of(self, persons: Iterable[PersonId]) -> dict[PersonId, frozenset[str]]:
        """The CRMs each of `persons` has a record in."""
        found: dict[PersonId, set[str]] = {}
        wanted = sorted(set(persons))
        with self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                rows = conn.execute(
                    select(record_links.c.person_id, record_links.c.crm)
                    .where(record_links.c.person_id.in_(wanted[start : start + _CHUNK]))
                    .distinct()
                )
                for row in rows:
                    found.setdefault(PersonId(row.person_id), set()).add(row.crm)
        return {person: frozenset(crms) for person, crms in found.items()}

    def records_of(self, person: PersonId) -> list[RecordRef]:
        """Every record linked to the person, in (crm, object type, id) order."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(record_links.c.crm, record_links.c.object_type, record_links.c.record_id)
                .where(record_links.c.person_id == person)
                .order_by(record_links.c.crm, record_links.c.object_type, record_links.c.record_id)
            )
            return [RecordRef(r.crm, r.object_type, r.record_id) for r in rows]


def link_all(
    conn: Connection,
    records: Sequence[tuple[RecordRef, str]],
    *,
    same_as: Mapping[RecordRef, Sequence[RecordRef]] | None = None,
) -> dict[RecordRef, PersonId]:
    """Link each (record, e-mail) to its person, in the caller's transaction; `same_as` gives the
    records each one names (its cross-references, which replace those it named before).

    Ids come first: a new record joins the person of a record it names, or of one that names it
    (leadsync/cross_references.py says which claims count); and the people a claim connects
    become one (the oldest stays), as do the person a record joins by a claim and the person
    its e-mail names: so the CRMs' records make the same people in whichever order they come
    (the CRMs are read side by side). Otherwise e-mail: a new record joins the person its address
    names, or a new one; a linked record whose e-mail changed stays with its person, whose key
    e-mail follows, unless another person already has the new address: then it joins that person.

    The common case (new records, and linked ones whose e-mail did not change) takes a few
    set-wise statements per batch; a batch with a changed e-mail is linked record by record.
    """
    refs = [ref for ref, _ in records]
    current: dict[RecordRef, tuple[PersonId, str]] = {}
    key_columns = (record_links.c.crm, record_links.c.object_type, record_links.c.record_id)
    for where in refs_in(record_links, refs):
        for row in conn.execute(
            select(*key_columns, record_links.c.person_id, record_links.c.email).where(where)
        ):
            current[RecordRef(row.crm, row.object_type, row.record_id)] = (PersonId(row.person_id), row.email)
    keyed = [(ref, normalize_email(email)) for ref, email in records]
    claims = ClaimBook(conn, refs, same_as or {})
    by_claim: list[dict[str, object]] = []
    claimed: list[tuple[PersonId, str]] = []  # each record joined by a claim: its person, its e-mail
    for ref, key in keyed if claims else ():
        person = claims.joined(ref) if ref not in current else None
        if person is not None:
            by_claim.append(_link_row(ref, person, key))
            claimed.append((person, key))
            current[ref] = (person, key)
    if by_claim:
        conn.execute(insert(record_links), by_claim)
    if any(ref in current and current[ref][1] != key for ref, key in keyed):
        linked = _link_one_by_one(conn, keyed, current)
    else:
        linked = _link_new(conn, keyed, current)
    if not claims:
        return linked
    named = _people_by_emails(conn, {key for _, key in claimed}) if claimed else {}
    merged = claims.join(linked, also=[(person, named[key]) for person, key in claimed if key in named])
    return {ref: merged.get(person, person) for ref, person in linked.items()}


def _link_new(
    conn: Connection, keyed: Sequence[tuple[RecordRef, str]], current: dict[RecordRef, tuple[PersonId, str]]
) -> dict[RecordRef, PersonId]:
    """Link records that are new or keep their e-mail: people looked up and created in bulk."""
    fresh = [(ref, key) for ref, key in keyed if ref not in current]
    known = _people_by_emails(conn, {key for _, key in fresh})
    missing = list(dict.fromkeys(key for _, key in fresh if key not in known))
    if missing:
        created = conn.execute(
            insert(people).returning(people.c.id, people.c.email), [{"email": k} for k in missing]
        )
        known.update({row.email: PersonId(row.id) for row in created})
    rows: dict[RecordRef, dict[str, object]] = {}
    for ref, key in fresh:
        rows[ref] = _link_row(ref, known[key], key)
        current[ref] = (known[key], key)
    if rows:
        conn.execute(insert(record_links), list(rows.values()))
    return {ref: current[ref][0] for ref, _ in keyed}


def _link_one_by_one(
    conn: Connection, keyed: Sequence[tuple[RecordRef, str]], current: dict[RecordRef, tuple[PersonId, str]]
) -> dict[RecordRef, PersonId]:
    linked: dict[RecordRef, PersonId] = {}
    for ref, key in keyed:
        person, old_email = current.get(ref, (None, None))
        if person is None:
            person = _person_by_email(conn, key) or _new_person(conn, key)
            conn.execute(insert(record_links).values(_link_row(ref, person, key)))
        elif old_email != key:
            owner = _person_by_email(conn, key)
            if owner is None:
                conn.execute(update(people).where(people.c.id == person).values(email=key))
                owner = person
            conn.execute(
                update(record_links).where(ref_matches(record_links, ref)).values(person_id=owner, email=key)
            )
            person = owner
        current[ref] = (person, key)
        linked[ref] = person
    return linked


def _people_by_emails(conn: Connection, keys: set[str]) -> dict[str, PersonId]:
    """`_person_by_email` for many keys at once: the person's own key first, else a record's e-mail."""
    found: dict[str, PersonId] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        found.update(
            (row.email, PersonId(row.id))
            for row in conn.execute(select(people.c.id, people.c.email).where(people.c.email.in_(chunk)))
        )
        rest = [key for key in chunk if key not in found]
        if rest:
            by_record = (
                select(record_links.c.email, func.min(record_links.c.person_id).label("person_id"))
                .where(record_links.c.email.in_(rest))
                .group_by(record_links.c.email)
            )
            found.update((row.email, PersonId(row.person_id)) for row in conn.execute(by_record))
    return found


def _person_by_email(conn: Connection, key: str) -> PersonId | None:
    by_key = conn.scalar(select(people.c.id).where(people.c.email == key))
    if by_key is None:
        by_key = conn.scalar(select(record_links.c.person_id).where(record_links.c.email == key).limit(1))
    return None if by_key is None else PersonId(by_key)


def _new_person(conn: Connection, key: str) -> PersonId:
    inserted = conn.execute(insert(people).values(email=key)).inserted_primary_key
    if inserted is None:
        raise AssertionError("the database returned no id for the new person")
    return PersonId(inserted[0])


def _link_row(ref: RecordRef, person: PersonId, key: str) -> dict[str, object]:
    return {
        "crm": ref.crm,
        "object_type": ref.object_type,
        "record_id": ref.record_id,
        "person_id": person,
        "email": key,
    }
