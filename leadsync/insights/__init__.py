"""Funnel analytics over the state store: stage counts, conversions, time in stage, SLA, volume."""

from leadsync.insights.funnel import funnel_report
from leadsync.insights.report import Conversion, FunnelReport, SlaBreach, StageCount, TimeInStage

__all__ = ["Conversion", "FunnelReport", "SlaBreach", "StageCount", "TimeInStage", "funnel_report"]
