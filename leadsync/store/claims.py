"""Cross-references in the state store: the ids records hold of each other, and merged-away records.

`link_all` (links.py) asks a `ClaimBook` which person a new record's claims give it, and has it
make one person of the people its claims connect; `leadsync.cross_references` decides, this
module reads and writes the rows. A claim naming a record not read yet is kept, and counts
when that record arrives. A claim naming a record merged away names its survivor.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import structlog
from sqlalchemy import ColumnElement, Connection, Row, Table, and_, delete, exists, insert, select, update

from leadsync.cross_references import Claim, honoured, joined_by, merged_people
from leadsync.model import RecordRef, SetBy
from leadsync.store.entries import DUE_NOW, PersonId, ref_matches, refs_in
from leadsync.store.schema import cross_references, merged_records, people, record_links, stage_history

__all__ = ["ClaimBook", "forget_claims", "record_merge"]

_log = structlog.get_logger(__name__)
_KEY = ("crm", "object_type", "record_id")


class ClaimBook:
    """The claims that bear on one batch of records being linked, in the caller's transaction.

    Made, it has replaced the batch's own claims with those given (a cleared field clears its
    claim) and loaded every claim naming a record the batch names or holds, rivals included.
    """

    def __init__(
        self, conn: Connection, refs: Sequence[RecordRef], same_as: Mapping[RecordRef, Sequence[RecordRef]]
    ) -> None:
        self._conn = conn
        crms = sorted({ref.crm for ref in refs})
        made = _store(conn, refs, {ref: same_as[ref] for ref in refs if same_as.get(ref)}, crms)
        named = {claim.target for claim in made}
        if refs and _any(conn, cross_references, "target_crm", crms):
            named.update(refs)
        kept, overruled = honoured(_naming(conn, named))
        for item in overruled:
            _log.warning(
                "claim.overruled", record=str(item.claim.record), target=str(item.claim.target),
                kept_by=str(item.kept.record), reason=str(item),
            )  # fmt: skip
        self._kept = kept
        self._involving: dict[RecordRef, list[Claim]] = {}  # its own first, as its mapping lists them
        for claim in made:
            if claim in kept:
                self._involving.setdefault(claim.record, []).append(claim)
        for claim in kept:
            self._involving.setdefault(claim.target, []).append(claim)
        self._person_of = _people_of(conn, {ref for claim in kept for ref in (claim.record, claim.target)})

    def __bool__(self) -> bool:
        return bool(self._kept)

    def joined(self, ref: RecordRef) -> PersonId | None:
        """The person a new record joins by its claims (None: it is linked by e-mail)."""
        found = joined_by(ref, self._involving.get(ref, ()), self._person_of)
        if found is not None:
            self._person_of[ref] = found[0]
        return None if found is None else found[0]

    def join(
        self, linked: Mapping[RecordRef, PersonId], *, also: Sequence[tuple[PersonId, PersonId]] = ()
    ) -> dict[PersonId, PersonId]:
        """Make one person of the people the claims connect, now the batch is `linked`, and of each
        pair `also` gives: each person merged into another, mapped to the one that stays (the lowest id)."""
        person_of = {**self._person_of, **linked}
        joins: list[tuple[PersonId, PersonId]] = [(one, other) for one, other in also if one != other]
        why: dict[frozenset[PersonId], Claim] = {}
        for claim in sorted(self._kept):
            one, other = person_of.get(claim.record), person_of.get(claim.target)
            if one is not None and other is not None and one != other:
                joins.append((one, other))
                why.setdefault(frozenset((one, other)), claim)
        merges = merged_people(joins)
        for gone, stays in sorted(merges.items()):
            _merge(self._conn, gone, stays)
            by = next((str(c) for pair, c in why.items() if gone in pair), "")
            _log.info("person.merged", person=stays, merged=gone, claim=by)
        return merges


def record_merge(conn: Connection, ref: RecordRef, survivor: RecordRef | None) -> None:
    """Forget the claims a deleted or merged-away record made; claims naming a merged-away record
    name its survivor from now on (one naming a deleted record waits, should it come back)."""
    conn.execute(delete(cross_references).where(ref_matches(cross_references, ref)))
    if survivor is None:
        return
    survivor = _survivors(conn, [survivor]).get(survivor, survivor)  # merged away itself before
    naming = _named(ref)
    claimants = select(*(cross_references.c[name] for name in _KEY)).where(_named(survivor))
    for row in conn.execute(claimants).all():  # it names both already: the survivor's claim stays
        conn.execute(delete(cross_references).where(naming, ref_matches(cross_references, _record(row))))
    conn.execute(update(cross_references).where(naming).values(**_key_values("target_", survivor)))
    conn.execute(delete(cross_references).where(_named(survivor), ref_matches(cross_references, survivor)))
    conn.execute(
        update(merged_records)
        .where(*(merged_records.c[f"survivor_{n}"] == getattr(ref, n) for n in _KEY))
        .values(**_key_values("survivor_", survivor))
    )
    conn.execute(delete(merged_records).where(ref_matches(merged_records, ref)))
    conn.execute(insert(merged_records).values(**_key_values("", ref), **_key_values("survivor_", survivor)))


def forget_claims(conn: Connection, refs: list[RecordRef]) -> None:
    """Delete every cross-reference and merge row that names one of `refs` (a person is erased)."""
    for table, prefixes in ((cross_references, ("", "target_")), (merged_records, ("", "survivor_"))):
        for prefix in prefixes:
            for where in refs_in(table, refs, prefix=prefix):
                conn.execute(delete(table).where(where))


def _store(
    conn: Connection,
    refs: Sequence[RecordRef],
    made: Mapping[RecordRef, Sequence[RecordRef]],
    crms: list[str],
) -> list[Claim]:
    """Replace the claims of `refs` with those `made`, each naming a merged-away record's survivor;
    a record read again is no longer merged away."""
    if made or _any(conn, cross_references, "crm", crms):
        for where in refs_in(cross_references, refs):
            conn.execute(delete(cross_references).where(where))
    if _any(conn, merged_records, "crm", crms):
        for where in refs_in(merged_records, refs):
            conn.execute(delete(merged_records).where(where))
    survivors = _survivors(conn, {target for targets in made.values() for target in targets})
    claims = list(
        dict.fromkeys(
            Claim(ref, survivors.get(target, target))
            for ref, targets in made.items()
            for target in targets
            if survivors.get(target, target) != ref
        )
    )
    if claims:
        conn.execute(
            insert(cross_references),
            [{**_key_values("", c.record), **_key_values("target_", c.target)} for c in claims],
        )
    return claims


def _any(conn: Connection, table: Table, column: str, crms: list[str]) -> bool:
    return bool(crms) and bool(conn.scalar(select(exists().where(table.c[column].in_(crms)))))


def _naming(conn: Connection, targets: Collection[RecordRef]) -> list[Claim]:
    """Every stored claim naming one of `targets`."""
    found: list[Claim] = []
    for where in refs_in(cross_references, sorted(targets), prefix="target_"):
        found += (_claim(row) for row in conn.execute(select(cross_references).where(where)))
    return found


def _survivors(conn: Connection, refs: Collection[RecordRef]) -> dict[RecordRef, RecordRef]:
    """The survivor of each merged-away record among `refs`."""
    found: dict[RecordRef, RecordRef] = {}
    if not refs:
        return found
    for where in refs_in(merged_records, sorted(refs)):
        for row in conn.execute(select(merged_records).where(where)):
            found[RecordRef(row.crm, row.object_type, row.record_id)] = RecordRef(
                row.survivor_crm, row.survivor_object_type, row.survivor_record_id
            )
    return found


def _people_of(conn: Connection, refs: Collection[RecordRef]) -> dict[RecordRef, PersonId]:
    found: dict[RecordRef, PersonId] = {}
    columns = (*(record_links.c[name] for name in _KEY), record_links.c.person_id)
    for where in refs_in(record_links, sorted(refs)):
        found.update(
            (_record(row), PersonId(row.person_id)) for row in conn.execute(select(*columns).where(where))
        )
    return found


def _merge(conn: Connection, gone: PersonId, stays: PersonId) -> None:
    """Move a person's records and stage history to another, then delete it. The one that stays
    keeps its stage, unless it has none or the other's was set by a human and its own was not;
    and its owner, unless it has none. It is evaluated again next cycle."""
    rows = {row.id: row for row in conn.execute(select(people).where(people.c.id.in_((gone, stays))))}
    keep, lose = rows[stays], rows[gone]
    values: dict[str, object] = {"reevaluate_at": DUE_NOW}
    human = SetBy.HUMAN.value
    if lose.stage is not None and (
        keep.stage is None or (lose.stage_set_by == human and keep.stage_set_by != human)
    ):
        values |= {name: getattr(lose, name) for name in ("stage", "stage_set_by", "stage_entered_at")}
    if keep.owner is None and lose.owner is not None:
        values["owner"] = lose.owner
    conn.execute(update(record_links).where(record_links.c.person_id == gone).values(person_id=stays))
    conn.execute(update(stage_history).where(stage_history.c.person_id == gone).values(person_id=stays))
    conn.execute(delete(people).where(people.c.id == gone))
    conn.execute(update(people).where(people.c.id == stays).values(**values))


def _claim(row: Row[tuple[str, ...]]) -> Claim:
    return Claim(_record(row), RecordRef(row.target_crm, row.target_object_type, row.target_record_id))


def _record(row: Row[tuple[str, ...]]) -> RecordRef:
    return RecordRef(row.crm, row.object_type, row.record_id)


def _key_values(prefix: str, ref: RecordRef) -> dict[str, str]:
    return {f"{prefix}{name}": getattr(ref, name) for name in _KEY}


def _named(ref: RecordRef) -> ColumnElement[bool]:
    """The claims naming `ref`."""
    return and_(*(cross_references.c[f"target_{name}"] == getattr(ref, name) for name in _KEY))
