"""The options a written stage or temperature needs: `check --live` names each one missing.

A stage or temperature written without a value map is written as leadsync's own id (`warm`,
`mql`), the label of an option of a single-option field; the kit's schema check compares only
value maps, so this names an option the field lacks, with the fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from leadsync import adapter_api as contract
from leadsync import kit
from leadsync.model import Stage, Temperature

__all__ = ["missing_options"]

IDS: Final = {"stage": tuple(Stage), "temperature": tuple(Temperature)}


def missing_options(
    mapping: contract.CrmMapping, object_type: str, fields: Mapping[str, kit.CrmField]
) -> Iterator[contract.Problem]:
    """A problem per id a choice field written without a value map has no option for."""
    write = mapping.write.get(object_type)
    for managed, targets in write.targets.items() if write else ():
        for target in targets:
            field = fields.get(target.field)
            if target.values or field is None or field.kind is not kit.FieldKind.CHOICE:
                continue
            for wanted in IDS.get(managed, ()):
                if str(wanted) not in field.options:
                    yield contract.Problem(
                        str(mapping.file),
                        f"write.{object_type}.{managed}",
                        f"{str(wanted)!r} is not an option of the person field {target.field!r}",
                        f"add the option {str(wanted)!r} to {target.field!r} in Pipedrive "
                        "(Company settings → Data fields → Person)",
                    )
