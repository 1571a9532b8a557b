"""Per-CRM field mappings: how CRM records become people and activities, and where values go.

`load_mapping` reads one TOML file (mappings/salesforce.toml, mappings/hubspot.toml), checks
it whole and compiles every field rule into a closure once, so reading a record does no
parsing of the mapping.
"""

from leadsync.mapping.activities import ActivityMapping, ActivityRule
from leadsync.mapping.crm_values import ABSENT, PERSON_TARGETS, Absent
from leadsync.mapping.loader import CrmMapping, load_mapping
from leadsync.mapping.people import FieldRule, PeopleMapping, SameAs
from leadsync.mapping.transforms import TRANSFORMS
from leadsync.mapping.write import CANONICAL_IDS, MANAGED, SKIP, Skip, WriteMapping, WriteTarget

__all__ = [
    "ABSENT",
    "CANONICAL_IDS",
    "MANAGED",
    "PERSON_TARGETS",
    "SKIP",
    "TRANSFORMS",
    "Absent",
    "ActivityMapping",
    "ActivityRule",
    "CrmMapping",
    "FieldRule",
    "PeopleMapping",
    "SameAs",
    "Skip",
    "WriteMapping",
    "WriteTarget",
    "load_mapping",
]
