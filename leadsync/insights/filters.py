"""The values the funnel's filters offer: the CRMs, scoring profiles and owners in the state store."""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.definitions import Definitions
from leadsync.store import Store

__all__ = ["FilterChoices", "filter_choices"]


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What a CRM, profile or owner filter can name, each by name."""

    crms: list[str]
    profiles: list[str]
    owners: list[str]


def filter_choices(store: Store, definitions: Definitions) -> FilterChoices:
    """The CRMs holding records, the definitions' scoring profiles, the owners of people."""
    return FilterChoices(
        crms=store.analytics.crms(),
        profiles=sorted(profile.name for profile in definitions.profiles),
        owners=store.analytics.owners(),
    )
