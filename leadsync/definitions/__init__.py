"""The shared definitions: funnel stages, scoring, temperature and owner rules, as code."""

from leadsync.definitions.evaluator import (
    Decision,
    Definitions,
    Reason,
    evaluate,
    grade_matrix,
    round_half_up,
)
from leadsync.definitions.loader import BUILT_IN_CHECKLISTS, default_definitions_path, load_definitions
from leadsync.definitions.owner_validity import (
    ValidOwners,
    kind_counts,
    valid_everywhere,
    valid_owners,
    why_not,
)
from leadsync.definitions.owners import RoundRobin
from leadsync.definitions.stages import FUNNEL

__all__ = [
    "BUILT_IN_CHECKLISTS",
    "FUNNEL",
    "Decision",
    "Definitions",
    "Reason",
    "RoundRobin",
    "ValidOwners",
    "default_definitions_path",
    "evaluate",
    "grade_matrix",
    "kind_counts",
    "load_definitions",
    "round_half_up",
    "valid_everywhere",
    "valid_owners",
    "why_not",
]
