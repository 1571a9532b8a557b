"""Check one `[people.<object>.same_as]` table: the fields holding the ids of this person elsewhere.

    [people.contacts.same_as.salesforce]   # a CRM: its [crm.<name>], or its adapter
    Contact = "salesforcecontactid"        # its object = the field here holding that record's id
    Lead = "salesforceleadid"

Given the configured CRMs (name → adapter), a CRM named by its adapter becomes the one CRM
configured with it; one leadsync does not sync is left out (its ids are not read), so a
shipped mapping naming `salesforce` does no harm without it. Two CRMs with that adapter make
the name ambiguous: a problem, with the names to choose from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from leadsync.mapping._checks import Checker, key_of
from leadsync.mapping.people import SameAs
from leadsync.mapping.transforms import shown
from leadsync.problems import Problems

__all__ = ["SameAsRules"]

_CRM: Final = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")  # as config.py names [crm.<name>] tables
_OBJECT: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_EXAMPLE: Final = 'e.g. [{key}.salesforce] with Contact = "salesforcecontactid"'


class SameAsRules(Checker):
    """Builds the same-as rules of one people object, recording every problem found."""

    def __init__(self, problems: Problems, crms: Mapping[str, str] | None) -> None:
        super().__init__(problems)
        self._crms = crms

    def rules(self, raw: object, key: str) -> tuple[SameAs, ...]:
        """The fields holding other records' ids, in the order they are listed."""
        if raw is None:
            return ()
        table = self.table(raw, key, _EXAMPLE.format(key=key))
        if table is None:
            return ()
        if not table:
            self.add(key, "names no CRM", f"{_EXAMPLE.format(key=key)}, or remove it")
        rules: list[SameAs] = []
        read_by: dict[str, str] = {}  # case-folded field -> the key reading it first
        for crm, objects in table.items():
            crm_key = key_of(key, crm)
            if not _CRM.match(crm):
                self.add(
                    crm_key,
                    f"{shown(crm)} is not a CRM name",
                    "use a [crm.<name>] table's name or an adapter, e.g. salesforce (lower case)",
                )
                continue
            fields = self.table(objects, crm_key, f'e.g. Contact = "{crm}_contact_id"')
            if fields is None:
                continue
            if not fields:
                self.add(
                    crm_key,
                    "names no object",
                    f'name the {crm} object and the field holding its id, e.g. Contact = "…"',
                )
            target = self._configured(crm, crm_key)
            for object_type, source in fields.items():
                rule = self._rule(target, object_type, source, key_of(crm_key, object_type), read_by)
                if rule is not None:
                    rules.append(rule)
        return tuple(rules)

    def _rule(
        self, crm: str | None, object_type: str, source: object, key: str, read_by: dict[str, str]
    ) -> SameAs | None:
        if not _OBJECT.match(object_type):
            self.add(
                key, f"{shown(object_type)} is not an object name", "name the object, e.g. Contact or Lead"
            )
            return None
        field = self.crm_name(
            source, key, f'name the field holding the {object_type} id, e.g. "salesforcecontactid"'
        )
        if field is None:
            return None
        folded = field.casefold()
        if folded in read_by:
            self.add(
                key, f"{field!r} is read for {read_by[folded]} too", "a field holds one record's id: keep one"
            )
            return None
        read_by[folded] = key
        return None if crm is None else SameAs(crm, object_type, field)

    def _configured(self, name: str, key: str) -> str | None:
        """The configured CRM `name` means (as written when no config is given); None: not synced."""
        crms = self._crms
        if crms is None or name in crms:
            return name
        named = sorted(crm for crm, adapter in crms.items() if adapter == name)
        if len(named) > 1:
            self.add(
                key,
                f"{name!r} is the adapter of several CRMs: {', '.join(named)}",
                f"name the one this field's ids belong to, e.g. [{key.rpartition('.')[0]}.{named[0]}]",
            )
            return None
        return named[0] if named else None
