"""Describe responses: `sobjects/<Type>/describe` and the global `sobjects` list.

The field keys are those of the real describe result that a schema check reads (name,
label, type, soapType, length, updateable, createable, nillable, custom, calculated,
picklistValues, restrictedPicklist, referenceTo, relationshipName…); keys the sandbox has no
use for (layouts, record types, child relationships, help text) are left out.
"""

from __future__ import annotations

from collections.abc import Collection

from .ids import KEY_PREFIXES
from .objects import OBJECTS
from .schema import FieldSpec, ObjectSpec

__all__ = ["describe_global", "describe_object"]

_SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "double": "xsd:double", "int": "xsd:int",
    "datetime": "xsd:dateTime", "date": "xsd:date",
}  # fmt: skip
_BYTES_PER_CHAR = 3


def describe_object(spec: ObjectSpec, version: str) -> dict[str, object]:
    """The describe result of one object."""
    base = f"/services/data/v{version}/sobjects/{spec.name}"
    return {
        **_summary(spec, version),
        "fields": [_field(f) for f in spec.fields],
        "childRelationships": [],
        "recordTypeInfos": [],
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


def describe_global(version: str, *, hidden: Collection[str] = ()) -> dict[str, object]:
    """The global describe: the summary of every object but those `hidden` from the user."""
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [_summary(spec, version) for spec in OBJECTS.values() if spec.name not in hidden],
    }


def _summary(spec: ObjectSpec, version: str) -> dict[str, object]:
    base = f"/services/data/v{version}/sobjects/{spec.name}"
    return {
        "name": spec.name,
        "label": spec.label,
        "labelPlural": spec.label_plural,
        "keyPrefix": KEY_PREFIXES.get(spec.name),
        "custom": spec.custom,
        "customSetting": False,
        "createable": spec.updateable,
        "updateable": spec.updateable,
        "deletable": spec.updateable,
        "undeletable": spec.updateable,
        "queryable": spec.queryable,
        "retrieveable": True,
        "searchable": spec.queryable,
        "triggerable": True,
        "replicateable": True,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


def _field(spec: FieldSpec) -> dict[str, object]:
    text = spec.type not in _SOAP_TYPES
    return {
        "name": spec.name,
        "label": spec.label,
        "type": spec.type,
        "soapType": _SOAP_TYPES.get(spec.type, "xsd:string"),
        "length": spec.length if text or spec.type in ("id", "reference") else 0,
        "byteLength": spec.length * _BYTES_PER_CHAR if text or spec.type in ("id", "reference") else 0,
        "digits": 9 if spec.type == "int" else 0,
        "precision": spec.precision,
        "scale": spec.scale,
        "updateable": spec.updateable,
        "createable": spec.createable,
        "nillable": spec.nillable,
        "custom": spec.custom,
        "calculated": spec.calculated,
        "calculatedFormula": "TODAY() - DATEVALUE(CreatedDate)" if spec.formula == "age_days" else None,
        "defaultedOnCreate": spec.type == "boolean" or spec.default is not None or spec.name == "OwnerId",
        "defaultValue": (False if spec.type == "boolean" else None) if spec.default is None else spec.default,
        "filterable": spec.filterable,
        "sortable": spec.sortable,
        "groupable": spec.sortable and spec.type not in ("double", "datetime"),
        "unique": False,
        "caseSensitive": False,
        "externalId": False,
        "idLookup": spec.type == "id" or spec.name in ("Email", "Username"),
        "nameField": spec.name == "Name",
        "htmlFormatted": False,
        "autoNumber": False,
        "deprecatedAndHidden": False,
        "dependentPicklist": False,
        "restrictedPicklist": spec.restricted,
        "picklistValues": [
            {"value": v, "label": v, "active": True, "defaultValue": v == spec.default, "validFor": None}
            for v in spec.picklist
        ],
        "referenceTo": list(spec.reference_to),
        "relationshipName": spec.relationship,
        "polymorphicForeignKey": spec.polymorphic,
        "cascadeDelete": False,
        "restrictedDelete": False,
    }
