"""Events published by reporting (`alert.*`)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.base import COUNTY_PATTERN, EventData, register


@register
class AlertFrequentProblems(EventData):
    """A unit, county or department crossed the substantiated-cases threshold in a window."""

    type = "alert.frequent_problems"
    alert_id: str
    scope: Literal["unit", "county", "department"]
    key: str
    county: str = Field(pattern=COUNTY_PATTERN)
    count: int = Field(ge=1)
    threshold: int = Field(ge=1)
    window_days: int = Field(ge=1)
    window_from: date
    window_to: date
