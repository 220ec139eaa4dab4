"""The bodies of the task routes (422 names the field at fault)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.http_params import IsoDate

Title = Annotated[str, Field(min_length=4, max_length=200)]
UnitId = Annotated[str, Field(min_length=1, max_length=64)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignBody(Body):
    """A measure's task for each unit (default: the measure's 责任单位), or a sub-task of
    `parent` (its measure and, by default, its unit)."""

    measure: Annotated[str, Field(max_length=4)] | None = None
    parent: Annotated[str, Field(max_length=36)] | None = None
    title: Title
    due: IsoDate
    units: Annotated[list[UnitId], Field(max_length=100)] | None = None


class FollowUpBody(Body):
    """举一反三: a 制度建设 task after a concluded case (unit: default the unit at fault)."""

    case: Annotated[str, Field(min_length=1, max_length=36)]
    title: Title
    due: IsoDate
    unit: UnitId | None = None


class ReportBody(Body):
    """A progress report: text, figures (name → number) and attachment ids from intake's
    upload route."""

    text: Annotated[str, Field(min_length=2, max_length=5000)]
    figures: Annotated[dict[Annotated[str, Field(max_length=50)], float], Field(max_length=50)] = {}
    attachments: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)] = []


class SendBackBody(Body):
    reason: Annotated[str, Field(min_length=2, max_length=2000)]
