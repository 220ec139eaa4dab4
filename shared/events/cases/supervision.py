"""The burden-reduction register and inspections (issue 22): data requests and checks aimed at
villages (`datarequest.*`) and inspection visits (督查, 暗访; `inspection.*`), each its own
aggregate under the county concerned. No reporter travels here: a finding becomes a report
through intake, and only its id is named."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.events.base import COUNTY_PATTERN, EventData, register

RequestKind = Literal["registration", "other_data", "check"]
VisitKind = Literal["planned", "unannounced"]


class DataRequestEvent(EventData):
    """A data request or check aimed at a village, as the register recorded it."""

    request_id: str
    county: str = Field(pattern=COUNTY_PATTERN)  # the village's
    village: str
    requesting_unit: str
    kind: RequestKind
    check_kind: str | None = None  # 督查, 考核, 评估, 审计 … for a check
    year: int


@register
class DataRequestRegistered(DataRequestEvent):
    """The request was registered; `flagged` when it repeats a check of the same kind on the
    same village within the year (the plan: one check, not many), with the rule cited."""

    type = "datarequest.registered"
    flagged: bool = False
    rule: str | None = None
    repeats: str | None = None  # the earlier request it repeats


@register
class DataRequestRefused(DataRequestEvent):
    """The request was refused under the plan's rule, cited (a second poverty-registration
    request within the year, or any other data asked of a village)."""

    type = "datarequest.refused"
    rule: str
    repeats: str | None = None


class InspectionEvent(EventData):
    """An inspection visit as it stands."""

    inspection_id: str
    county: str = Field(pattern=COUNTY_PATTERN)
    township: str | None = None
    village: str | None = None
    kind: VisitKind
    unit: str  # the inspecting unit
    visit_on: date
    status: Literal["planned", "visited"]
    version: int = Field(ge=1)


@register
class InspectionPlanned(InspectionEvent):
    """A visit was planned (an unannounced one is told to nobody it visits)."""

    type = "inspection.planned"


@register
class InspectionVisited(InspectionEvent):
    """The visit took place."""

    type = "inspection.visited"
    inspectors: int = Field(ge=0)  # how many went (their names stay in cases)


@register
class InspectionFindingReported(InspectionEvent):
    """A finding of the visit became a report through intake's inspection channel."""

    type = "inspection.finding_reported"
    finding_no: int = Field(ge=1)
    report_id: str
