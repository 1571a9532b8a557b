"""What a cycle did, per CRM and in all: the figures of the summary table and of `runs`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from leadsync.store import ApiCalls, RunStatus

__all__ = ["FAILED_PREFIX", "CrmFigures", "CycleReport"]

FAILED_PREFIX = "failed."
"""Run counts `failed.<crm>`: the records whose write failed in that CRM."""


@dataclass(slots=True)
class CrmFigures:
    """One CRM's figures in one cycle."""

    read: int = 0
    activities: int = 0
    quarantined: int = 0
    planned: int = 0  # records with at least one value to change
    changed: Counter[str] = field(default_factory=Counter)  # managed value -> records to change
    writes: int = 0  # records written
    write_calls: int = 0
    write_calls_min: int = 0
    api_calls: int = 0
    api_used: int | None = None  # the CRM's own count of calls in its window, when it tells
    api_limit: int | None = None
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what the adapter skipped, e.g. a refused stream

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "read": self.read,
            "activities": self.activities,
            "quarantined": self.quarantined,
            "changed": self.planned,
            "changed_fields": dict(sorted(self.changed.items())),
            "writes": self.writes,
            "write_calls": self.write_calls,
            "write_calls_min": self.write_calls_min,
            "api_calls": self.api_calls,
            "failed": self.failed,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
        }


@dataclass(slots=True)
class CycleReport:
    """One cycle: its run id, how it ended, its figures per CRM, and why it held back if it did."""

    run_id: str
    status: RunStatus = RunStatus.RUNNING
    wall_s: float = 0.0
    crms: dict[str, CrmFigures] = field(default_factory=dict)
    evaluated: int = 0
    stage_changes: int = 0
    blocked: str = ""
    dry_run: bool = False
    shadow: bool = False
    refused: list[str] = field(default_factory=list)  # CRMs that refused leadsync's credentials

    def crm(self, name: str) -> CrmFigures:
        """The figures of one CRM (created on first use)."""
        return self.crms.setdefault(name, CrmFigures())

    def counts(self) -> dict[str, int]:
        """The run's totals, as the state store keeps them; records read, written, failed and
        quarantined also per CRM (`read.<crm>`…, for the CRMs where there were some)."""
        totals: Counter[str] = Counter(evaluated=self.evaluated, stage_changes=self.stage_changes)
        for name, figures in self.crms.items():
            totals.update(
                read=figures.read,
                activities=figures.activities,
                quarantined=figures.quarantined,
                changed=figures.planned,
                written=figures.writes,
                failed=figures.failed,
            )
            per_crm = {
                "read": figures.read,
                "written": figures.writes,
                "failed": figures.failed,
                "quarantined": figures.quarantined,
            }
            totals.update({f"{kind}.{name}": n for kind, n in per_crm.items() if n})
        return dict(totals)

    def api_calls(self) -> dict[str, ApiCalls]:
        """Per CRM: calls made, and the calls had every write batch been full and error-free."""
        return {
            name: ApiCalls(
                f.api_calls, f.api_calls - f.write_calls + f.write_calls_min, f.api_used, f.api_limit
            )
            for name, f in self.crms.items()
        }

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "run_id": self.run_id,
            "status": self.status.value,
            "wall_s": round(self.wall_s, 3),
            "evaluated": self.evaluated,
            "stage_changes": self.stage_changes,
            "blocked": self.blocked,
            "dry_run": self.dry_run,
            "shadow": self.shadow,
            "crms": {name: figures.as_dict() for name, figures in self.crms.items()},
        }
