"""What every case event carries: the case as it stands (`CaseEvent`), its status and
deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import COUNTY_PATTERN, EventData

Status = Literal[
    "received",
    "accepted",
    "rejected",
    "investigating",
    "concluded",
    "rectifying",
    "rectification_submitted",
    "rectified",
    "transferred",
    "closed",
]
Finding = Literal["substantiated", "partly", "unsubstantiated"]
TransferTarget = Literal["discipline_inspection", "procuratorate"]


class DeadlineInfo(BaseModel):
    """A running deadline and the rule it comes from."""

    model_config = ConfigDict(frozen=True)
    kind: str
    due: datetime
    provisional: bool = False
    basis: str = ""


class CaseEvent(EventData):
    """Fields every case event carries: the case as it stands after this event."""

    case_id: str
    county: str = Field(pattern=COUNTY_PATTERN)  # where the problem is (stats group by it)
    status: Status
    version: int = Field(ge=1)
    handling_unit: str
    problem: int | None = None
    report_id: str | None = None
