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
from leadsync.definitions.owners import RoundRobin
from leadsync.definitions.stages import FUNNEL

__all__ = [
    "BUILT_IN_CHECKLISTS",
    "FUNNEL",
    "Decision",
    "Definitions",
    "Reason",
    "RoundRobin",
    "default_definitions_path",
    "evaluate",
    "grade_matrix",
    "load_definitions",
    "round_half_up",
]
