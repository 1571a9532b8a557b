"""What the state store raises."""

from __future__ import annotations

from leadsync.exceptions import LeadsyncError

__all__ = ["LeaseHeld", "StoreError"]


class StoreError(LeadsyncError):
    """The state store cannot be opened, migrated or used."""


class LeaseHeld(StoreError):  # noqa: N818 - a condition, not a fault (STYLE.md §3)
    """Another runner holds this pipeline's lease: skip this cycle, the other one is running it."""

    def __init__(self, pipeline: str, where: str) -> None:
        self.pipeline = pipeline
        self.where = where
        super().__init__(
            f"pipeline {pipeline!r} is being run by another leadsync process ({where}); "
            "wait for it to finish, or stop the other daemon"
        )
