"""Supervised tasks (督办, issue 22): the plan's measures assigned to units, their progress
reports, the lead unit's review and the task deadlines. Each task is its own aggregate
(`task.*` under the responsible unit's county); no report text, only ids, units, dates,
statuses and the figures a unit reported."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.base import COUNTY_PATTERN, EventData, register

TaskStatus = Literal["assigned", "reported", "sent_back", "accepted"]
TaskKind = Literal["measure", "institution"]  # a measure's task, or 举一反三 制度建设


class TaskEvent(EventData):
    """Fields every task event carries: the task as it stands after this event."""

    task_id: str
    measure: str  # the plan's measure: 一, 二, 三, 四, 五 or 九
    kind: TaskKind = "measure"
    county: str = Field(pattern=COUNTY_PATTERN)  # the responsible unit's
    responsible_unit: str
    lead_units: tuple[str, ...]
    status: TaskStatus
    version: int = Field(ge=1)
    due: datetime
    overdue: bool = False


@register
class TaskAssigned(TaskEvent):
    """The city office (or, for 制度建设, the case's supervisor) assigned a task to a unit."""

    type = "task.assigned"
    title: str
    parent_id: str | None = None  # the task this one is a sub-task of
    source_case: str | None = None  # the concluded case a 制度建设 task follows from


@register
class TaskProgressReported(TaskEvent):
    """The responsible unit reported progress: the report's number, figures and attachments."""

    type = "task.progress_reported"
    report_no: int = Field(ge=1)
    figures: dict[str, float] = Field(default_factory=dict)
    attachments: tuple[str, ...] = ()


@register
class TaskAccepted(TaskEvent):
    """A lead unit accepted the latest progress report: the task is done."""

    type = "task.accepted"
    report_no: int = Field(ge=1)


@register
class TaskSentBack(TaskEvent):
    """A lead unit sent the latest progress report back, with its reason."""

    type = "task.sent_back"
    report_no: int = Field(ge=1)
    reason: str


@register
class TaskDeadlineApproaching(TaskEvent):
    """The task's due date is near and it is not accepted yet."""

    type = "task.deadline_approaching"


@register
class TaskOverdue(TaskEvent):
    """The task's due date passed before a lead unit accepted it."""

    type = "task.overdue"


@register
class TaskEscalated(TaskEvent):
    """An overdue task went to the responsible unit's supervisor (督办 one level up)."""

    type = "task.escalated"
    to_unit: str
    automatic: bool = True
