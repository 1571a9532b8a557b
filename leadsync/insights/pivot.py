"""The funnel as one pivot: stages (funnel order, side states last) by CRM, with people and conversion."""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.insights.report import Conversion, FunnelReport

__all__ = ["FunnelPivot", "PivotRow", "funnel_pivot"]


@dataclass(frozen=True, slots=True)
class PivotRow:
    """One stage: records per CRM and their share of that CRM's records, people, conversion onwards."""

    stage: str
    records: dict[str, int]
    shares: dict[str, float | None]  # None: the CRM holds no record in any stage
    people: int
    by_temperature: dict[str, int]  # people, cold → warm → hot
    conversion: Conversion | None  # to the next funnel stage; None for the last and the side states


@dataclass(frozen=True, slots=True)
class FunnelPivot:
    """The pivot's CRMs (its column groups) and its rows."""

    crms: list[str]
    temperatures: list[str]
    rows: list[PivotRow]


def funnel_pivot(report: FunnelReport) -> FunnelPivot:
    """The report's stage counts and conversions as one table.

    A share is of the CRM's records holding a stage of the funnel, so each CRM's shares add up
    to 100 %; conversion is the report's (people entering the stage in its window).
    """
    totals = {crm: sum(count.by_crm.get(crm, 0) for count in report.stages) for crm in report.crms}
    onwards = {conversion.from_stage: conversion for conversion in report.conversions}
    rows = [
        PivotRow(
            stage=count.stage,
            records={crm: count.by_crm.get(crm, 0) for crm in report.crms},
            shares={
                crm: count.by_crm.get(crm, 0) / total if (total := totals[crm]) else None
                for crm in report.crms
            },
            people=count.people,
            by_temperature=count.by_temperature,
            conversion=onwards.get(count.stage),
        )
        for count in report.stages
    ]
    return FunnelPivot(list(report.crms), list(report.temperatures), rows)


def _share(records: int, total: int) -> float | None:
    return records / total if total else None
