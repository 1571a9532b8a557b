"""A person's e-mail consent across CRMs: opted out as soon as any of their records says so.

An opt-out travels to the person's other records where a mapping names the field
(`email_opt_out` under `[write.<object>]`); an opt-in never does: leadsync writes only `true`,
so it cannot re-grant consent a person withdrew in any CRM. People who opted out get no SLA
breach (and, once they exist, no routing alert or task).
"""

from __future__ import annotations

from collections.abc import Iterable

from leadsync.model import Person

__all__ = ["opted_out"]


def opted_out(records: Iterable[Person | None]) -> bool:
    """Whether any record read of this person says they opted out of all e-mail."""
    return any(record is not None and record.email_opt_out is True for record in records)
