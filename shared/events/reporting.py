"""Events published by reporting (`alert.*`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from shared.events.base import COUNTY_PATTERN, EventData, register

AlertScope = Literal["unit", "county", "department"]
# Accountability measures (信访工作条例 Art 39 and the campaign plan): 约谈, 通报, 挂牌督办,
# 责令限期整改, 问责, or another measure described in the record.
Decision = Literal[
    "interview",
    "circular",
    "listed_supervision",
    "rectify_within_deadline",
    "accountability",
    "other",
]


@register
class AlertFrequentProblems(EventData):
    """A unit, county or department crossed the substantiated-cases threshold in a window."""

    type = "alert.frequent_problems"
    alert_id: str
    scope: AlertScope
    key: str
    county: str = Field(pattern=COUNTY_PATTERN)
    count: int = Field(ge=1)
    threshold: int = Field(ge=1)
    window_days: int = Field(ge=1)
    window_from: date
    window_to: date
    # 主体责任 (a unit's or a county's own cases) or 监督责任 (a department's, for the units on
    # its sector line); alerts on record before this field was added said nothing: `main`.
    responsibility: Literal["main", "supervision"] = "main"


@register
class AlertDecided(EventData):
    """An accountability decision was recorded on an alert, against the unit or named
    officials (the names and the note stay in reporting's record; they never travel)."""

    type = "alert.decided"
    alert_id: str
    scope: AlertScope
    key: str
    decision: Decision
    target: Literal["unit", "officials"]
    decided_at: datetime
    decided_unit: str
    # The alert's: a decision on a department's alert is one of 监督责任, kept apart from a unit's
    # own (主体责任) as the alert is; decisions on record before this field said nothing: `main`.
    responsibility: Literal["main", "supervision"] = "main"
