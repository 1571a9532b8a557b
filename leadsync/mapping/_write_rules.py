"""Check and compile one `[write.<object>]` table into a WriteMapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from leadsync.mapping._checks import SCALARS, Checker, key_of
from leadsync.mapping.transforms import shown
from leadsync.mapping.write import CANONICAL_IDS, MANAGED, WriteMapping, WriteTarget

__all__ = ["WriteRules"]

_TARGET_KEYS: Final = ("to", "values", "unmapped")
_SKIPPABLE: Final = ("stage",)
_EXAMPLE: Final = 'e.g. score = "LeadSync_Score__c", or stage = { to = "Status", values = { lead = "Open" } }'


class WriteRules(Checker):
    """Builds a WriteMapping from its TOML table, recording every problem found."""

    def write(self, name: str, raw: object, key: str) -> WriteMapping | None:
        """Where one object's managed values go; each CRM field takes at most one of them."""
        table = self.table(raw, key, f'e.g. [{key}] with score = "LeadSync_Score__c"')
        if table is None:
            return None
        if self.unknown_keys(table, MANAGED, key) and not table:
            self.add(key, "writes nothing", f"map at least one of: {', '.join(MANAGED)}, or remove the table")
        targets: dict[str, tuple[WriteTarget, ...]] = {}
        claimed: dict[str, str] = {}  # case-folded CRM field -> the key that writes it first
        for managed in MANAGED:
            if managed not in table:
                continue
            managed_key = key_of(key, managed)
            specs = table[managed]
            if isinstance(specs, list) and not specs:
                self.add(managed_key, "is an empty list", f"give one or more targets, {_EXAMPLE}")
            entries = list(enumerate(specs)) if isinstance(specs, list) else [(None, specs)]
            built = []
            for i, spec in entries:
                entry_key = managed_key if i is None else key_of(managed_key, i)
                target = self.target(managed, spec, entry_key)
                if target is None:
                    continue
                folded = target.field.casefold()
                if folded in claimed:
                    self.add(
                        entry_key,
                        f"writes {shown(target.field)}, which {claimed[folded]} writes too",
                        "a CRM field takes one managed value: pick another field or remove one entry",
                    )
                    continue
                claimed[folded] = entry_key
                built.append(target)
            if built:
                targets[managed] = tuple(built)
        return WriteMapping(name, targets)

    def target(self, managed: str, spec: object, key: str) -> WriteTarget | None:
        """One CRM field `managed` is written to, with its value map if it has one."""
        if isinstance(spec, str):
            field = self.crm_name(spec, key, _EXAMPLE)
            return WriteTarget(managed, field) if field else None
        if not isinstance(spec, Mapping):
            self.add(key, "must be a CRM field name or a table", _EXAMPLE)
            return None
        before = self.count
        self.unknown_keys(spec, _TARGET_KEYS, key)
        field = None
        if "to" in spec:
            field = self.crm_name(spec["to"], key_of(key, "to"), 'e.g. to = "Status"')
        else:
            self.add(key_of(key, "to"), "is missing", 'name the CRM field written, e.g. to = "Status"')
        ids = CANONICAL_IDS.get(managed)
        values = None
        if "values" in spec and ids is None:
            self.add(
                key_of(key, "values"),
                f"{managed} has no value map: its value is written as it is",
                f'remove values, e.g. {managed} = "{field or "Field__c"}"',
            )
        elif "values" in spec and ids is not None:
            values = self.values(spec["values"], key_of(key, "values"), managed, ids)
        skip = "unmapped" in spec and self.skip(spec, key, managed)
        if values is not None and ids is not None and not skip:
            missing = [i for i in ids if i not in values]
            if missing:
                fix = (
                    ' or add unmapped = "skip" to leave those stages unwritten'
                    if managed in _SKIPPABLE
                    else ""
                )
                self.add(
                    key_of(key, "values"),
                    f"does not map {', '.join(missing)}",
                    f"map every {managed} id ({', '.join(ids)}){fix}",
                )
        if self.count > before or field is None:
            return None
        return WriteTarget(managed, field, values, skip_unmapped=skip)

    def skip(self, spec: Mapping[str, object], key: str, managed: str) -> bool:
        """Whether `unmapped = "skip"` is set, and allowed, for this target."""
        unmapped_key = key_of(key, "unmapped")
        if spec["unmapped"] != "skip":
            self.add(
                unmapped_key,
                f"unknown setting {shown(spec['unmapped'])}",
                'the only one is unmapped = "skip"',
            )
        elif managed not in _SKIPPABLE:
            self.add(unmapped_key, f"{managed} cannot skip values", "map every value, and remove `unmapped`")
        elif "values" not in spec:
            self.add(
                unmapped_key,
                "has nothing to skip: without `values` every stage is written as its id",
                'add values = { lead = "…", … } or remove `unmapped`',
            )
        else:
            return True
        return False

    def values(self, raw: object, key: str, managed: str, ids: tuple[str, ...]) -> dict[str, object] | None:
        """The write value map: canonical id -> CRM value."""
        table = self.table(raw, key, f'e.g. values = {{ {ids[0]} = "…" }}')
        if table is None:
            return None
        if not table:
            self.add(key, "is empty", f"map the {managed} ids: {', '.join(ids)}")
            return None
        result: dict[str, object] = {}
        for canonical, crm_value in table.items():
            entry = key_of(key, canonical)
            if canonical not in ids:
                self.unknown_name(canonical, entry, f"{managed} id", ids)
            elif not isinstance(crm_value, SCALARS):
                self.add(entry, "must be one CRM value", 'e.g. "Working - Contacted"')
            else:
                result[canonical] = crm_value
        return result
