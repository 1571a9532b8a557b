"""Erase one person from the state store (a data-protection request); the CRMs are left alone."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Table, delete, func, select, union

from leadsync.emails import normalize_email
from leadsync.model import RecordRef
from leadsync.store.claims import forget_claims
from leadsync.store.entries import ForgetReport, refs_in
from leadsync.store.schema import (
    activities,
    audit_log,
    audit_properties,
    people,
    quarantine,
    record_links,
    record_values,
    stage_history,
    write_failures,
    write_intents,
)

__all__ = ["forget"]


def forget(engine: Engine, email: str) -> ForgetReport:
    """Delete the person with this e-mail: links, values, history, audit, quarantine, failed, pending writes.

    Quarantined records are erased when linked to the person or when their excerpt shows the address.
    """
    key = normalize_email(email)
    with engine.begin() as conn:
        ids = list(
            conn.scalars(
                union(
                    select(people.c.id).where(people.c.email == key),
                    select(record_links.c.person_id).where(record_links.c.email == key),
                )
            )
        )
        refs = [
            RecordRef(r.crm, r.object_type, r.record_id)
            for r in conn.execute(select(record_links).where(record_links.c.person_id.in_(ids)))
        ]
        audit_entries = _delete_records(conn, audit_log, refs)
        _delete_records(conn, audit_properties, refs)
        quarantined = _delete_records(conn, quarantine, refs)
        quarantined += conn.execute(
            delete(quarantine).where(func.lower(quarantine.c.excerpt).contains(key, autoescape=True))
        ).rowcount
        _delete_records(conn, record_values, refs)
        failures = _delete_records(conn, write_failures, refs)
        _delete_records(conn, write_intents, refs)
        for where in refs_in(activities, refs, prefix="person_"):
            conn.execute(delete(activities).where(where))
        forget_claims(conn, refs)
        conn.execute(delete(record_links).where(record_links.c.person_id.in_(ids)))
        stage_changes = conn.execute(delete(stage_history).where(stage_history.c.person_id.in_(ids))).rowcount
        erased = conn.execute(delete(people).where(people.c.id.in_(ids))).rowcount
    return ForgetReport(erased, len(refs), stage_changes, audit_entries, quarantined, failures)


def _delete_records(conn: Connection, table: Table, refs: list[RecordRef]) -> int:
    return sum(conn.execute(delete(table).where(where)).rowcount for where in refs_in(table, refs))
