"""`forget`: erase one person from the state store under the pipeline's lease (a data-protection request)."""

from __future__ import annotations

from leadsync.store import ForgetReport, Store

__all__ = ["ForgetReport", "forget_person"]


def forget_person(store: Store, pipeline: str, email: str) -> ForgetReport:
    """Erase the person with this e-mail; LeaseHeld while a cycle runs, so none writes them back meanwhile
    (nothing is erased then)."""
    with store.lease(pipeline):
        return store.forget(email)
