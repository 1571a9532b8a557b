"""Person fields: the mapping names them by label, the API keys custom ones by 40-character hashes.

`GET /api/v2/personFields` lists each field's `field_name` (its label), `field_code` (the hash of a
custom field, the key of a standard one), `field_type` and, for `enum`/`set`, its `options`
(`{id, label}`) — pipedrive/client-nodejs `v2/models/get-person-fields200-response-data-inner.ts`.
A person carries its custom values in `custom_fields`, keyed by hash, an option by its id. The
adapter shows the mapping a flat row: standard fields by key, the primary e-mail and phone as
`email` and `phone`, custom fields by label, options by label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from leadsync import kit

__all__ = ["PersonFields"]

Row = dict[str, Any]
KINDS: Final = {  # Pipedrive's field_type -> kit.FieldKind (the const list of the same model)
    **dict.fromkeys(("int", "double", "monetary"), kit.FieldKind.NUMBER),
    **dict.fromkeys(("varchar", "text", "varchar_auto", "phone", "address"), kit.FieldKind.TEXT),
    **dict.fromkeys(("date", "time"), kit.FieldKind.WHEN),
    **dict.fromkeys(("enum", "set", "varchar_options"), kit.FieldKind.CHOICE),
    "boolean": kit.FieldKind.BOOL,
    "user": kit.FieldKind.REFERENCE,
}
# Standard person keys the API computes: never written (the v2 PATCH request's properties are
# name, owner_id, org_id, emails, phones, visible_to, label_ids, marketing_status, custom_fields).
READ_ONLY: Final = frozenset({"id", "add_time", "update_time"})
_SHOWN: Final = {"emails": "email", "phones": "phone"}  # lists of {value, primary, label}: the primary


@dataclass(frozen=True, slots=True)
class PersonFields:
    """The account's person fields, by the name the mapping uses."""

    by_name: Mapping[str, Row]  # label (custom) or key (standard) -> the API's field

    @classmethod
    def of(cls, raw: Iterable[Row]) -> PersonFields:
        """From the personFields list."""
        fields: dict[str, Row] = {}
        for field in raw:
            name = str(field["field_name"] if field.get("is_custom_field") else field["field_code"])
            fields[_SHOWN.get(name, name)] = field
        return cls(fields)

    def crm_fields(self) -> dict[str, kit.CrmField]:
        """Each field as the kit's schema check sees it."""
        return {name: _crm_field(name, field) for name, field in self.by_name.items()}

    def flat(self, person: Row) -> Row:
        """A person as the mapping reads it: custom values by label, options by label."""
        row = {
            _SHOWN.get(key, key): _primary(value) if key in _SHOWN else value for key, value in person.items()
        }
        custom = person.get("custom_fields") or {}
        for name, field in self.by_name.items():
            if field.get("is_custom_field") and field["field_code"] in custom:
                row[name] = _label(field, custom[field["field_code"]])
        return row

    def body(self, values: Mapping[str, object]) -> Row:
        """A PATCH body from values by name: standard keys as they are, custom ones under their hash."""
        body: Row = {}
        for name, value in values.items():
            field = self.by_name[name]
            if field.get("is_custom_field"):
                body.setdefault("custom_fields", {})[field["field_code"]] = _option_id(field, value)
            else:
                body[field["field_code"]] = value
        return body

    def option_problem(self, name: str, value: object) -> str | None:
        """Why `value` cannot be written to the field `name` (not one of its options), or None."""
        field = self.by_name.get(name)
        if field is None or value is None or not field.get("options"):
            return None
        labels = [str(option["label"]) for option in field["options"]]
        return (
            None if str(value) in labels else f"{value!r} is not an option of {name!r}: {', '.join(labels)}"
        )


def _crm_field(name: str, field: Row) -> kit.CrmField:
    kind = KINDS.get(field["field_type"], kit.FieldKind.OTHER)
    options = frozenset(str(option["label"]) for option in field.get("options") or ())
    writable = field.get("is_custom_field") or field["field_code"] not in READ_ONLY
    why = "" if writable else "computed by Pipedrive"
    return kit.CrmField(name, kind, field["field_type"], bool(writable), why, options)


def _primary(items: object) -> object:
    if not isinstance(items, list):
        return items
    primary = [item.get("value") for item in items if isinstance(item, dict) and item.get("primary")]
    return primary[0] if primary else None


def _label(field: Row, value: object) -> object:
    """An option's id as its label (a `set`'s ids joined by commas); other values as they are."""
    labels = {option["id"]: option["label"] for option in field.get("options") or ()}
    if not labels or value is None:
        return value
    if isinstance(value, list):
        return ",".join(str(labels.get(item, item)) for item in value)
    return labels.get(value, value)


def _option_id(field: Row, value: object) -> object:
    ids = {str(option["label"]): option["id"] for option in field.get("options") or ()}
    return ids.get(str(value), value) if value is not None else None
