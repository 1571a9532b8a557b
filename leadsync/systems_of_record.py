"""One system of record per managed field where a vendor's own sync already joins two CRMs.

HubSpot's Salesforce connector, Marketo's and Account Engagement's Salesforce sync copy some
fields between their two systems by themselves. Were leadsync to write such a field in both,
it and the native sync would write the same value back and forth, each through its own value
map. So the admin names, per pair, the system of record of each field the native sync
carries: leadsync writes the field there only, and reads a human's change to it there only;
the native sync carries it to the other side. A person with no record in the system of
record is not carried by the native sync, so their record is written and read as usual.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from leadsync.mapping.write import MANAGED

__all__ = ["NativeSync", "SystemsOfRecord", "only_managed"]


def only_managed(names: Iterable[str]) -> None:
    """Refuse (as a config problem) any name that is not a value leadsync manages."""
    unknown = sorted(set(names) - set(MANAGED))
    if unknown:
        raise PydanticCustomError(
            "managed_value",
            "names values leadsync does not manage: {unknown}",
            {"unknown": ", ".join(unknown), "hint": f"use some of: {', '.join(MANAGED)}"},
        )


class NativeSync(BaseModel):
    """`[[native_sync]]`: a vendor's sync between two CRMs and the system of record of each field
    it carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="", description='what the sync is, e.g. "HubSpot\'s Salesforce connector"')
    between: tuple[str, str] = Field(
        description='the two [crm.<name>] tables it joins, e.g. ["hubspot", "salesforce"]'
    )
    system_of_record: dict[str, str] = Field(
        description='each field it carries and the CRM leadsync writes it in, e.g. { stage = "salesforce" }'
    )

    @field_validator("system_of_record")
    @classmethod
    def _managed_fields(cls, value: dict[str, str]) -> dict[str, str]:
        only_managed(value)
        return value

    @model_validator(mode="after")
    def _records_on_either_side(self) -> NativeSync:
        first, second = self.between
        if first == second:
            raise PydanticCustomError(
                "native_sync", "joins a CRM to itself", {"hint": "name two different [crm.<name>] tables"}
            )
        elsewhere = sorted({crm for crm in self.system_of_record.values() if crm not in self.between})
        if elsewhere:
            raise PydanticCustomError(
                "native_sync",
                "system_of_record names {elsewhere}, which this sync does not join",
                {"elsewhere": ", ".join(elsewhere), "hint": f"use {first!r} or {second!r}"},
            )
        return self


class SystemsOfRecord:
    """Which managed fields of a record leadsync leaves to a native sync."""

    def __init__(self, syncs: Iterable[NativeSync] = ()) -> None:
        self._carried: dict[tuple[str, str], list[str]] = {}  # (crm, field) -> its systems of record
        for sync in syncs:
            for field, keeper in sync.system_of_record.items():
                other = sync.between[0] if keeper == sync.between[1] else sync.between[1]
                self._carried.setdefault((other, field), []).append(keeper)
        self._cache: dict[tuple[str, frozenset[str]], frozenset[str]] = {}

    def __bool__(self) -> bool:
        return bool(self._carried)

    def left_to_sync(self, crm: str, present: Collection[str]) -> frozenset[str]:
        """The fields of a record in `crm` a native sync carries there from their system of
        record, for a person whose records are in the CRMs `present`."""
        key = (crm, frozenset(present))
        if key not in self._cache:
            self._cache[key] = frozenset(
                field
                for (carried_to, field), keepers in self._carried.items()
                if carried_to == crm and any(keeper in key[1] for keeper in keepers)
            )
        return self._cache[key]

    def without_carried(
        self, values: Mapping[str, object], crm: str, present: Collection[str]
    ) -> dict[str, object]:
        """`values` without the fields a native sync carries to this record."""
        carried = self.left_to_sync(crm, present)
        return {name: value for name, value in values.items() if name not in carried}
